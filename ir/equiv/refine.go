package equiv

import (
	"slices"
	"sync"

	"github.com/nftopt/nftopt/ir"
)

// A refinement splits a class cur of a dimension again, on atoms it
// does not decide yet (fresh). partition does it by sweeping every atom
// cur decides as well, to tell which values lie inside cur: a chain of
// refinements (rules that alternate two fields) then costs the square
// of its length. refine gets the same classes, in the same order and
// with the same representatives, from the fresh atoms alone, and a
// per-dimension index that answers which atoms hold for a value:
//
//   - the values outside every fresh atom form one class, whose least
//     value is cur's own when cur.rep lies outside them all (cur.rep is
//     cur's least value);
//   - the values inside fresh atoms are few segments, each read against
//     the index until one of its values lies inside cur.
//
// When cur.rep lies inside a fresh atom, or the segments to read cost
// more than the sweep, refine leaves the split to partition.

// stabIndex lists, for one dimension, the segments the boundaries of
// all its atoms cut the values into, and the atoms that hold on each:
// segment i runs from starts[i] to starts[i+1]-1 (to the last value for
// the last one), where atoms[off[i]:off[i+1]] hold (sorted).
type stabIndex struct {
	starts []ir.Value
	off    []int32
	atoms  []int
}

// maxStabCover bounds an index's size per interval of its atoms: nested
// ranges cover many segments each, and such a dimension goes without
// an index.
const maxStabCover = 8

// stabIndexes builds the dimensions' indexes on demand, once each; the
// goroutines of a parallel walk share it.
type stabIndexes struct {
	byDim [][]int // the atoms of each dimension, made by newStabIndexes
	// local and atomDim give each of those atoms its index in its
	// dimension's list, and its dimension (decided bitsets).
	local   []int32
	atomDim []int32
	once    []sync.Once
	index   []*stabIndex
	// all lists each dimension's boundaries, sorted, once it is needed
	// (allOnce): a sweep over most of a dimension's atoms filters it
	// instead of sorting again.
	allOnce []sync.Once
	all     [][]boundary
}

// newStabIndexes prepares the indexes of p's dimensions as they are:
// dimensions made later (draws) have none.
func newStabIndexes(p *program) *stabIndexes {
	x := &stabIndexes{byDim: make([][]int, len(p.dims)), once: make([]sync.Once, len(p.dims)), index: make([]*stabIndex, len(p.dims)),
		local: make([]int32, len(p.atoms)), atomDim: make([]int32, len(p.atoms)),
		allOnce: make([]sync.Once, len(p.dims)), all: make([][]boundary, len(p.dims))}
	for i, at := range p.atoms {
		x.local[i], x.atomDim[i] = int32(len(x.byDim[at.dim])), int32(at.dim)
		x.byDim[at.dim] = append(x.byDim[at.dim], i)
	}
	return x
}

// get returns dimension d's index, or nil when it has none.
func (x *stabIndexes) get(p *program, d int) *stabIndex {
	if d >= len(x.index) {
		return nil
	}
	x.once[d].Do(func() { x.index[d] = buildStab(p, d, x.allBoundaries(p, d)) })
	return x.index[d]
}

// allBoundaries returns the sorted boundaries of all of dimension d's
// atoms (d is one of the indexed dimensions).
func (x *stabIndexes) allBoundaries(p *program, d int) []boundary {
	x.allOnce[d].Do(func() { x.all[d] = boundaries(p, x.byDim[d]) })
	return x.all[d]
}

// boundaryList is the boundaries of some atoms of one dimension, sorted
// by value: a list of their own (in nil), or the dimension's whole list
// read through a mask of the atoms (in, over their indexes in the
// dimension). Boundaries at one value may come in any order: their
// readers take them together.
type boundaryList struct {
	evs   []boundary
	in    []uint64
	local []int32
}

// next returns the index of the list's first boundary at or after i, or
// len(evs).
func (b boundaryList) next(i int) int {
	if b.in == nil {
		return i
	}
	for ; i < len(b.evs); i++ {
		if l := b.local[b.evs[i].atom]; b.in[l/64]&(1<<(l%64)) != 0 {
			return i
		}
	}
	return i
}

// boundaries lists the boundaries of the atoms ats (sorted, all of
// dimension d) sorted by value; where ats hold a large share of the
// dimension's boundaries, it reads the dimension's sorted list through
// a mask instead of sorting theirs.
func (x *stabIndexes) boundaries(p *program, d int, ats []int) boundaryList {
	n := 0
	for _, a := range ats {
		n += 2 * p.atoms[a].set.Len()
	}
	if x == nil || d >= len(x.byDim) || len(ats) == 0 || ats[len(ats)-1] >= len(x.local) || 8*n < len(x.byDim[d]) {
		return boundaryList{evs: boundaries(p, ats)}
	}
	all := x.allBoundaries(p, d)
	if 8*n < len(all) {
		return boundaryList{evs: boundaries(p, ats)}
	}
	in := make([]uint64, (len(x.byDim[d])+63)/64)
	for _, a := range ats {
		l := x.local[a]
		in[l/64] |= 1 << (l % 64)
	}
	return boundaryList{evs: all, in: in, local: x.local}
}

// buildStab indexes dimension d from its sorted boundaries evs, or
// returns nil when the index would be too large.
func buildStab(p *program, d int, evs []boundary) *stabIndex {
	x := &stabIndex{starts: []ir.Value{ir.ZeroValue(p.dims[d].width)}, off: []int32{0}}
	active := map[int]bool{}
	budget := maxStabCover*len(evs) + 1024
	flush := func() bool {
		// Close the current segment with the atoms active on it.
		n := len(x.atoms)
		for a := range active {
			x.atoms = append(x.atoms, a)
		}
		slices.Sort(x.atoms[n:])
		x.off = append(x.off, int32(len(x.atoms)))
		return len(x.atoms) <= budget
	}
	for i := 0; i < len(evs); {
		v := evs[i].at
		if v.Compare(x.starts[len(x.starts)-1]) > 0 {
			if !flush() {
				return nil
			}
			x.starts = append(x.starts, v)
		}
		for ; i < len(evs) && evs[i].at.Compare(v) == 0; i++ {
			if evs[i].start {
				active[evs[i].atom] = true
			} else {
				delete(active, evs[i].atom)
			}
		}
	}
	if !flush() {
		return nil
	}
	return x
}

// boundary is where an interval of an atom starts, or where it has
// ended (the value after its last).
type boundary struct {
	at    ir.Value
	atom  int
	start bool
}

// boundaries lists the boundaries of the intervals of atoms ats,
// sorted by value.
func boundaries(p *program, ats []int) []boundary {
	n := 0
	for _, a := range ats {
		n += 2 * p.atoms[a].set.Len()
	}
	evs := make([]boundary, 0, n)
	for _, a := range ats {
		set := p.atoms[a].set
		for i := range set.Len() {
			iv := set.Interval(i)
			evs = append(evs, boundary{iv.Lo, a, true})
			if n, ok := iv.Hi.Next(); ok {
				evs = append(evs, boundary{n, a, false})
			}
		}
	}
	slices.SortFunc(evs, func(a, b boundary) int { return a.at.Compare(b.at) })
	return evs
}

// segment returns the index of the segment that holds v.
func (x *stabIndex) segment(v ir.Value) int {
	i, found := slices.BinarySearchFunc(x.starts, v, func(s, v ir.Value) int { return s.Compare(v) })
	if !found {
		i--
	}
	return i
}

// holds returns the atoms that hold on segment i.
func (x *stabIndex) holds(i int) []int { return x.atoms[x.off[i]:x.off[i+1]] }

// inside reports whether the values whose atoms are holding (sorted,
// every atom of the dimension that holds) lie inside cur: cur's true
// atoms hold, and no other atom cur decides does.
func inside(cur *class, holding []int) bool {
	for _, a := range cur.true {
		if _, ok := slices.BinarySearch(holding, a); !ok {
			return false
		}
	}
	for _, a := range holding {
		if cur.dec.has(a) {
			if _, t := slices.BinarySearch(cur.true, a); !t {
				return false
			}
		}
	}
	return true
}

// refined returns the decided atoms of a refinement of cur on dimension
// d: cur's and fresh (sorted, none of cur's). It is a list while that
// is smaller than a bitset over the dimension's atoms.
func (x *stabIndexes) refined(d int, cur *decided, fresh []int) *decided {
	n, all := cur.count()+len(fresh), len(x.byDim[d])
	if cur.bits == nil && 64*n < all {
		return &decided{atoms: union(fresh, cur.atoms)}
	}
	bits := make([]uint64, (all+63)/64)
	if cur.bits != nil {
		copy(bits, cur.bits)
	} else {
		for _, a := range cur.atoms {
			l := x.local[a]
			bits[l/64] |= 1 << (l % 64)
		}
	}
	for _, a := range fresh {
		l := x.local[a]
		bits[l/64] |= 1 << (l % 64)
	}
	return &decided{bits: bits, x: x, dim: d, n: n}
}

// refine splits cur, a class of dimension d, on the atoms ats (sorted)
// as partition would, without sweeping the atoms cur decides; ok is
// false when it leaves the split to partition.
func (en *enumerator) refine(d int, ats []int, cur *class) ([]*class, bool) {
	if en.stabs == nil || !cur.least || en.p.dims[d].domain != nil {
		return nil, false
	}
	var fresh []int
	for _, a := range ats {
		if !cur.dec.has(a) {
			fresh = append(fresh, a)
		}
	}
	if len(fresh) == 0 {
		return nil, false
	}
	for _, a := range fresh {
		if en.p.atoms[a].set.Contains(cur.rep) {
			return nil, false
		}
	}
	x := en.stabs.get(en.p, d)
	if x == nil {
		return nil, false
	}
	// The segments the fresh atoms cut the values into, with the fresh
	// atoms active on each.
	bl := en.stabs.boundaries(en.p, d, fresh)
	evs := bl.evs
	dec := en.stabs.refined(d, cur.dec, fresh)
	classes := []*class{{rep: cur.rep, true: cur.true, dec: dec, least: true}}
	found := map[uint64][][]int{} // patterns with a class, by hash
	seen := func(h uint64, pat []int) bool {
		for _, q := range found[h] {
			if slices.Equal(q, pat) {
				return true
			}
		}
		return false
	}
	budget := 4*cur.dec.count() + 64
	active := map[int]bool{}
	var h uint64
	for i := bl.next(0); i < len(evs); {
		lo := evs[i].at
		for ; i < len(evs) && evs[i].at.Compare(lo) == 0; i = bl.next(i + 1) {
			if evs[i].start {
				active[evs[i].atom] = true
			} else {
				delete(active, evs[i].atom)
			}
			h ^= zobrist(evs[i].atom)
		}
		if len(active) == 0 {
			continue // outside every fresh atom: cur.rep's class
		}
		pat := make([]int, 0, len(active))
		for a := range active {
			pat = append(pat, a)
		}
		slices.Sort(pat)
		if seen(h, pat) {
			continue
		}
		// The segment runs from lo to the next event (or the end).
		var end ir.Value
		last := i == len(evs)
		if !last {
			end = evs[i].at
		}
		for j := x.segment(lo); j < len(x.starts) && (last || x.starts[j].Compare(end) < 0); j++ {
			if budget--; budget < 0 {
				return nil, false
			}
			if !inside(cur, x.holds(j)) {
				continue
			}
			rep := x.starts[j]
			if rep.Compare(lo) < 0 {
				rep = lo
			}
			found[h] = append(found[h], pat)
			classes = append(classes, &class{rep: rep, true: union(cur.true, pat), dec: dec, least: true})
			break
		}
	}
	slices.SortStableFunc(classes, func(a, b *class) int { return a.rep.Compare(b.rep) })
	return classes, true
}
