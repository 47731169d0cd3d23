// Package json reads and writes rulesets in the libnftables JSON schema,
// version 1 (man libnftables-json): the format of "nft -j list ruleset"
// and of "nft -j -f".
//
// Parse reads both a listing (bare table, chain, rule, set, map,
// element, flowtable and object entries, as nft lists them) and a list
// of commands (add, create, insert, delete, destroy, flush, reset) into
// an ir.Ruleset. Print writes an ir.Ruleset as a command list that
// "nft -j -f" loads into the same kernel state as the text printer's
// output loaded with "nft -f"; PrintListing writes the layout of
// "nft -j list ruleset".
//
// The mapping between JSON and the ir reads the field registry
// (ir.LookupField) and the datatypes of ir for every selector and
// constant; statements the ir keeps as words (ir.Generic) and
// expressions it keeps structurally (ir.Special) are converted to and
// from their JSON objects by their canonical words.
package json
