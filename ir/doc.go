// Package ir is nftopt's typed representation of an nftables ruleset:
// tables, chains, rules, sets, maps, flowtables and stateful objects, the
// field registry that every other package reads selector layouts from,
// and the interval value domain that equivalence checking reasons over.
//
// The ir never does I/O, parsing or printing policy; parsers build it,
// passes rewrite it, emitters print it.
package ir
