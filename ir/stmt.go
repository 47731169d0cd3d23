package ir

// Stmt is one statement of a rule: a match, a verdict, or an action.
type Stmt interface {
	stmtNode()
	Pos() Pos
}

// Op is a relational operator.
type Op uint8

// Relational operators. OpImplicit is a match written without an
// operator: equality, membership for sets, and "any of these bits" for
// bitmask types.
const (
	OpImplicit Op = iota
	OpEq
	OpNeq
	OpLt
	OpGt
	OpLe
	OpGe
	// OpNotAny is nft's "!" on bitmask types: none of the bits is set.
	OpNotAny
)

var opNames = [...]string{"", "==", "!=", "<", ">", "<=", ">=", "!"}

// String returns the operator as nft spells it; "" for OpImplicit.
func (o Op) String() string { return opNames[o] }

// Match tests Left against Right.
type Match struct {
	Node
	Left  Expr
	Op    Op
	Right Expr
}

// VerdictStmt ends evaluation of the rule with a verdict, or jumps.
type VerdictStmt struct {
	Node
	Verdict *Verdict
	// Vmap, when set, picks the verdict from a verdict map instead.
	Vmap *MapExpr
}

// Counter counts packets and bytes; Name refers to a named counter.
type Counter struct {
	Node
	Name      Expr
	Packets   uint64
	Bytes     uint64
	HasValues bool
}

// Limit is a rate limit; Name refers to a named limit object.
type Limit struct {
	Node
	Name      Expr
	Over      bool
	Rate      uint64
	Unit      string // "" for packets, else bytes, kbytes, mbytes
	Per       string // second, minute, hour, day, week
	Burst     uint64
	BurstUnit string // "packets" or a byte unit; "" when not given
}

// Quota is a byte quota; Name refers to a named quota object.
type Quota struct {
	Node
	Name     Expr
	Over     bool
	Bytes    uint64
	Unit     string
	Used     uint64
	UsedUnit string
}

// Log logs the packet.
type Log struct {
	Node
	Prefix     Expr
	Level      string
	Group      int
	HasGroup   bool
	Snaplen    int
	QThreshold int
	// Flags holds one entry per "flags" group: "all", "tcp sequence,options", "ip options".
	Flags []string
}

// Reject rejects the packet; With is the protocol of the reply
// ("icmp", "icmpv6", "icmpx", "tcp") and Code its code, if given.
type Reject struct {
	Node
	With string
	Code Expr
}

// Nat is snat, dnat, masquerade or redirect.
type Nat struct {
	Node
	Kind   string // snat, dnat, masquerade, redirect
	Family string // "ip" or "ip6" when written as "dnat ip to ..."
	// Prefix, AddrPort: "snat ip prefix to ..." and "dnat ip addr . port to ...".
	Prefix   bool
	AddrPort bool
	Addr     Expr // nil when absent
	Port     Expr // nil when absent
	Flags    []string
}

// Mangle writes a value: "meta mark set X", "ct mark set X", "ip dscp set X".
type Mangle struct {
	Node
	Left  Expr
	Value Expr
}

// SetStmt adds, updates or deletes an element in a named set from the
// packet path, optionally with per-element statements.
type SetStmt struct {
	Node
	Op    string // add, update, delete
	Set   string
	Key   Expr
	Data  Expr // for maps: key : data
	Stmts []Stmt
	// Meter is set for the meter form: "meter NAME [size N] { key stmts }".
	Meter     bool
	MeterSize uint64
}

// Generic is a statement nftopt parses and prints canonically but does
// not model further (notrack, queue, dup, fwd, tproxy, synproxy, flow
// add, ct helper/timeout/expectation set, connlimit, secmark, xt ...).
// Words is its canonical text split into words; Args are embedded
// expressions printed where Words has "%".
type Generic struct {
	Node
	Kind  string
	Words []string
	Args  []Expr
}

func (*Match) stmtNode()       {}
func (*VerdictStmt) stmtNode() {}
func (*Counter) stmtNode()     {}
func (*Limit) stmtNode()       {}
func (*Quota) stmtNode()       {}
func (*Log) stmtNode()         {}
func (*Reject) stmtNode()      {}
func (*Nat) stmtNode()         {}
func (*Mangle) stmtNode()      {}
func (*SetStmt) stmtNode()     {}
func (*Generic) stmtNode()     {}
