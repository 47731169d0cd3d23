package ir

// Expr is an expression: a selector, a constant, or a composite of them.
type Expr interface {
	exprNode()
	// Pos returns where the expression starts in the source.
	Pos() Pos
}

// Node carries the source span shared by every expression and statement.
type Node struct{ Span Span }

// Pos returns the start of the node's span.
func (n *Node) Pos() Pos { return n.Span.Start }

// Selector reads a header field, meta key, conntrack key or other value
// described by one entry of the field registry.
type Selector struct {
	Node
	Field *Field
	// Dir is a conntrack direction ("original" or "reply") for ct keys that take one.
	Dir string
}

// RawPayload is a raw payload read: @base,offset,length.
type RawPayload struct {
	Node
	Base   string // ll, nh, th, ih
	Offset int
	Len    int
}

// Const is a constant of a datatype. Val holds the value big-endian in
// the type's width; String types keep Str instead. A symbol nftopt
// cannot resolve (a user name, an unknown service) keeps its spelling in
// Str with Sym set and is printed back as written.
type Const struct {
	Node
	Type *Type
	Val  []byte
	Str  string
	// Quoted records that a string or symbol was written in quotes.
	Quoted bool
	// Wild marks an interface name wildcard ("eth*").
	Wild bool
	Sym  bool
}

// Prefix is an address or integer prefix: X/Len.
type Prefix struct {
	Node
	X   Expr
	Len int
}

// Range is an inclusive range Lo-Hi.
type Range struct {
	Node
	Lo, Hi Expr
}

// Concat is a concatenation a . b . c.
type Concat struct {
	Node
	Parts []Expr
}

// List is a comma-separated list outside braces, as in "ct state
// established,related": for bitmask types it means "any of these bits".
type List struct {
	Node
	Items []Expr
}

// SetExpr is an anonymous set or map literal { ... }.
type SetExpr struct {
	Node
	Elems []*Element
}

// SetRef refers to a named set, map or flowtable: @name.
type SetRef struct {
	Node
	Name string
}

// Binop is a bitwise or shift operation.
type Binop struct {
	Node
	Op   string // &, |, ^, <<, >>
	X, Y Expr
}

// MapExpr looks Key up in Map: "key map { ... }" or "key vmap @m".
type MapExpr struct {
	Node
	Key  Expr
	Map  Expr // *SetExpr or *SetRef
	Vmap bool
}

// Verdict is a verdict used as a value or statement: accept, drop,
// continue, return, jump CHAIN, goto CHAIN, queue.
type Verdict struct {
	Node
	Kind  string
	Chain string
	// Inline holds the rules of an anonymous chain: "jump { ... }".
	Inline []*Rule
}

// Special is an expression with its own small syntax that the ir keeps
// structurally but does not model bit by bit: fib, numgen, jhash,
// symhash, osf, socket cgroupv2, exthdr and tcp option with arguments.
// Words are its keywords and numbers in canonical order; Args are
// embedded expressions (the hash input) printed where Words has "%".
type Special struct {
	Node
	Kind  string
	Words []string
	Args  []Expr
	// Type is the datatype of the value the expression yields.
	Type *Type
}

func (*Selector) exprNode()   {}
func (*RawPayload) exprNode() {}
func (*Const) exprNode()      {}
func (*Prefix) exprNode()     {}
func (*Range) exprNode()      {}
func (*Concat) exprNode()     {}
func (*List) exprNode()       {}
func (*SetExpr) exprNode()    {}
func (*SetRef) exprNode()     {}
func (*Binop) exprNode()      {}
func (*MapExpr) exprNode()    {}
func (*Verdict) exprNode()    {}
func (*Special) exprNode()    {}
