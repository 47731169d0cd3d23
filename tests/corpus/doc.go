// Package corpus holds tests that run nftopt over ../shared/corpus.
//
// The corpora live outside the module, next to the repository root; a
// test skips when its corpus is missing, unless the CI environment
// variable is set, in which case it fails.
package corpus
