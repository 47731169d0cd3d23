// Package equiv gives rulesets their meaning: it evaluates a packet
// through a ruleset the way the kernel does, and decides whether two
// rulesets treat every packet the same by symbolic packet-class
// enumeration, returning a concrete counterexample packet when they
// do not.
//
// A match compiles to a monotone formula over atoms; an atom says that
// one dimension of the packet (a field of the registry, or an
// uninterpreted predicate such as a fib lookup) lies in an interval
// set. Enumeration splits each dimension into the classes of values
// that no atom of the still-live rules can tell apart, walks the
// dimensions one after the other keeping only the rules whose guards
// can still hold, and evaluates both rulesets concretely at each leaf.
// Equal atoms in both rulesets are the same atom, so an uninterpreted
// predicate written the same way on both sides is one variable, tried
// both ways.
//
// Assumptions, stated once: packets are not fragments; IPv4 "ip
// protocol" is the transport protocol (as meta l4proto); ct state holds
// exactly one of its states; named sets and maps that are not constant
// may change at run time and are uninterpreted; limits, quotas and
// numgen are uninterpreted predicates.
package equiv
