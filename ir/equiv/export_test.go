package equiv

// ShareChains lets external tests turn the sharing of unchanged chains
// off, to compare.
var ShareChains = &shareChains
