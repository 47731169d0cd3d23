// Package pktharness asks the running kernel what an nftables ruleset does
// to crafted packets at the input hook, so that nftopt's packet evaluator
// (ir/equiv) can be checked against the real thing.
//
// # How a run works
//
// Run moves one OS thread into a new, empty network namespace
// (unshare(CLONE_NEWNET)) and does all its work from that thread; every
// command it starts (ip, nft) inherits the namespace, and the namespace
// disappears with the thread, so nothing is left behind even if the test
// binary dies. In the namespace it:
//
//  1. creates, for each ingress interface the packets name, a veth pair
//     whose peer (nftopt-pN) stays in the same namespace with IPv6
//     disabled; sets rp_filter=0, accept_local=1 and route_localnet=1
//     (all, default and per interface), accept_dad=0, MTU 65535; brings
//     lo and the pairs up; and adds "local 0.0.0.0/0" and "local ::/0"
//     routes on lo to table local (and "local fe80::/10" on each ingress
//     interface, where the kernel looks up link-local destinations), so
//     every destination is local and every packet that survives the
//     ruleset reaches the input hook;
//  2. adds the sentinel input table (see sentinelInput): a chain at
//     priority 2147483647 that adds each harness packet's ID to a set
//     (IPv4: ip id; IPv6: ip6 flowlabel);
//  3. loads the ruleset with nft -f, then adds the sentinel netdev table
//     (see sentinelIngress), whose chain at priority -2147483648 counts
//     harness packets as they arrive. Chains of equal priority run newest
//     first, so the sentinels run after every input chain and before
//     every ingress chain of the ruleset. Should the ruleset flush the
//     input sentinel (flush ruleset), it is added again after the ruleset;
//  4. writes each packet as an Ethernet frame to the peer of its ingress
//     interface through an AF_PACKET socket (PACKET_QDISC_BYPASS), from a
//     fixed harness MAC to the interface's MAC so it arrives as
//     PACKET_HOST. Packets go in the order given,
//     serially; before a packet that conntrack could see as part of a
//     connection an earlier packet opened (same protocol and address
//     pair, and for TCP and UDP the same ports, in either direction), Run
//     waits until every earlier packet has been processed and flushes the
//     conntrack table over ctnetlink, so each packet is a new flow for
//     conntrack;
//  5. waits until the ingress counter shows every packet, then lists the
//     sets: a packet's ID is there exactly when it passed every input-hook
//     base chain.
//
// Packets travel the whole receive path, so chains of the ruleset at the
// ingress and prerouting hooks apply to them too, and a packet dropped
// there is reported as not accepted.
//
// # Limitations
//
//   - The kernel drops some packets before any chain whatever the ruleset:
//     IPv4 from 224.0.0.0/4 or 255.255.255.255, from 0.0.0.0/8 (except to
//     255.255.255.255), or to 0.0.0.0/8; IPv6 from or to ::1 and from
//     multicast; multicast destinations other than 224.0.0.1 and ff02::1.
//     Run returns an error for such packets instead of reporting them
//     dropped; see checkAddrs.
//   - IPv6 extension headers (next header 0, 43, 44, 51, 60) cannot be sent.
//   - meta pkttype is always host; IPv4 packets are never fragments; TTL 0
//     cannot be sent (0 means 64); see Packet for the fields the harness
//     fixes.
//   - Stateful expressions other than conntrack (limit, quota, meters,
//     numgen, ct count) see all packets of a run, in order, in one
//     namespace, along with the kernel's replies to them (TCP resets, ICMP
//     errors and echo replies, which come back in on lo).
//   - A rule that rewrites ip id or ip6 flowlabel hides a packet's
//     identity. A ruleset that flushes the ruleset and then adds an input
//     chain at priority 2147483647 makes Run fail: the sentinel could not
//     run after that chain.
//   - The ruleset can name only the interfaces the packets name (and lo):
//     others do not exist in the namespace. Table names nftopt_sentinel
//     (inet and netdev) and interface names lo, all, default and nftopt-*
//     are reserved.
package pktharness

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"
)

// Run loads ruleset (nft text) into a fresh network namespace with `nft -f`, sends every
// packet into the input hook of that namespace, and reports for each packet ID whether
// it passed every input-hook base chain (accepted) or not (dropped/rejected).
//
// The answer has an entry for every packet. Run fails, without sending
// anything, when two packets share an ID or a packet cannot be sent
// faithfully (a field out of range, an interface name the harness cannot
// use, or an address the kernel drops before any chain: see Limitations in
// the package documentation); it fails when nft rejects the ruleset. Runs
// may proceed concurrently, each in its own namespace.
func Run(ctx context.Context, ruleset string, pkts []Packet) (accepted map[int]bool, err error) {
	ids := make(map[int]bool, len(pkts))
	for _, p := range pkts {
		if err := p.check(); err != nil {
			return nil, fmt.Errorf("pktharness: packet %d: %w", p.ID, err)
		}
		if ids[p.ID] {
			return nil, fmt.Errorf("pktharness: packet %d: id used twice", p.ID)
		}
		ids[p.ID] = true
	}
	err = inNewNetns(func() error {
		var err error
		accepted, err = run(ctx, ruleset, pkts)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pktharness: %w", err)
	}
	return accepted, nil
}

// run is Run inside the new namespace, for packets already checked.
func run(ctx context.Context, ruleset string, pkts []Packet) (map[int]bool, error) {
	var ifaces []string
	for _, p := range pkts {
		if !slices.Contains(ifaces, p.Iif) {
			ifaces = append(ifaces, p.Iif)
		}
	}
	ns, err := setupNetns(ctx, ifaces)
	if err != nil {
		return nil, err
	}
	defer ns.close()
	accepted := make(map[int]bool, len(pkts))
	if len(pkts) == 0 {
		if err := ns.nft([]byte(ruleset)); err != nil {
			return nil, fmt.Errorf("load ruleset: %w", err)
		}
		return accepted, nil
	}
	if err := ns.loadWithSentinels(ruleset, ifaces); err != nil {
		return nil, err
	}
	if err := ns.send(pkts); err != nil {
		return nil, err
	}
	seen4, seen6, err := ns.seen()
	if err != nil {
		return nil, err
	}
	for _, p := range pkts {
		if p.Family == "ip" {
			accepted[p.ID] = seen4[p.ID]
		} else {
			accepted[p.ID] = seen6[p.ID]
		}
	}
	return accepted, nil
}

// loadWithSentinels loads the ruleset between the sentinel tables: the
// input chain must run after every input chain of the ruleset, and the
// ingress counter before every ingress chain. Chains of equal priority run
// newest first, so the input sentinel comes first; should the ruleset
// flush it (flush ruleset), it comes again after the ruleset, which is
// right unless the ruleset has an input chain at the same, highest,
// priority.
func (ns *netns) loadWithSentinels(ruleset string, ifaces []string) error {
	if err := ns.nft([]byte(sentinelInput)); err != nil {
		return fmt.Errorf("add sentinel input table: %w", err)
	}
	if err := ns.nft([]byte(ruleset)); err != nil {
		return fmt.Errorf("load ruleset: %w", err)
	}
	after := sentinelIngress(ifaces)
	sentinel, last, err := ns.inputChains()
	if err != nil {
		return err
	}
	if !sentinel {
		if len(last) > 0 {
			return fmt.Errorf("the ruleset flushes the sentinel table and has input chains at priority %d (%s), which the harness cannot observe after", math.MaxInt32, strings.Join(last, ", "))
		}
		after = sentinelInput + after
	}
	if err := ns.nft([]byte(after)); err != nil {
		return fmt.Errorf("add sentinel tables (does the ruleset use the name %s?): %w", sentinelTable, err)
	}
	return nil
}

// send writes pkts in order, flushing conntrack between packets that could
// share a connection, and waits until the kernel has processed them all.
func (ns *netns) send(pkts []Packet) error {
	flows := make(map[flowKey]bool)
	for i, p := range pkts {
		if err := ns.ctx.Err(); err != nil {
			return err
		}
		k := p.flow()
		if flows[k] {
			if err := ns.waitProcessed(i); err != nil {
				return err
			}
			if err := ns.flushConntrack(); err != nil {
				return err
			}
			clear(flows)
		}
		flows[k] = true
		if err := ns.inject(p); err != nil {
			return fmt.Errorf("packet %d: %w", p.ID, err)
		}
	}
	return ns.waitProcessed(len(pkts))
}

// Bounds on waiting for the kernel to process sent packets; see
// waitProcessed.
const (
	processTimeout = 5 * time.Second
	processGrace   = 10 * time.Millisecond
)

// waitProcessed waits until the kernel has processed the first n packets
// sent, as shown by the sentinel's ingress counter.
//
// Normally there is nothing to wait for: the veth hands a frame to the
// receive backlog of the sending CPU, and on leaving the send path the
// kernel runs the pending softirq at once, in the sending thread, so each
// packet has been through ingress, prerouting and input before sendto
// returns. Should the kernel defer the softirq to ksoftirqd instead, the
// counter lags; once it reaches n, the last packet may still be on its
// way from the ingress hook to the input hook, which processGrace covers.
func (ns *netns) waitProcessed(n int) error {
	deadline := time.Now().Add(processTimeout)
	delay := 100 * time.Microsecond
	for polls := 0; ; polls++ {
		got, err := ns.ingressCount()
		if err != nil {
			return err
		}
		switch {
		case got > n:
			return fmt.Errorf("ingress counter %d exceeds the %d packets sent", got, n)
		case got == n && polls == 0:
			return nil
		case got == n:
			return ns.sleep(processGrace)
		case time.Now().After(deadline):
			return fmt.Errorf("only %d of %d packets reached the ingress hook within %v", got, n, processTimeout)
		}
		if err := ns.sleep(delay); err != nil {
			return err
		}
		delay = min(2*delay, 100*time.Millisecond)
	}
}

// sleep waits for d, or until the run's context is done.
func (ns *netns) sleep(d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ns.ctx.Done():
		return ns.ctx.Err()
	case <-t.C:
		return nil
	}
}

// flowKey is equal for any two packets conntrack could assign to the same
// connection, in either direction; it may also be equal for packets
// conntrack keeps apart. Endpoints are ordered so that a reply matches.
type flowKey struct {
	family string
	proto  uint8
	a, b   endpoint
	icmpID int // ICMP messages carry their packet ID as identifier
}

// endpoint is one end of a flow: an address and, for TCP and UDP, a port.
type endpoint struct {
	addr netip.Addr
	port uint16
}

// flow returns p's flowKey.
func (p Packet) flow() flowKey {
	a, b := endpoint{addr: p.Src}, endpoint{addr: p.Dst}
	k := flowKey{family: p.Family, proto: p.Proto, icmpID: -1}
	switch {
	case p.Proto == protoTCP || p.Proto == protoUDP:
		a.port, b.port = p.Sport, p.Dport
	case p.isICMP():
		// Queries are tracked by their identifier, the packet ID; other
		// ICMP messages open no connection (errors here carry no inner
		// packet, so conntrack finds none to relate them to).
		k.icmpID = p.ID
	}
	if b.addr.Less(a.addr) || b.addr == a.addr && b.port < a.port {
		a, b = b, a
	}
	k.a, k.b = a, b
	return k
}

// Available reports whether the harness can run here (root, nft, ip, veth), with a reason.
func Available() (bool, string) {
	return available()
}

// available caches the probe behind Available.
var available = sync.OnceValues(func() (bool, string) {
	if os.Geteuid() != 0 {
		return false, fmt.Sprintf("pktharness needs root (euid %d)", os.Geteuid())
	}
	for _, tool := range []string{"nft", "ip"} {
		if _, err := exec.LookPath(tool); err != nil {
			return false, fmt.Sprintf("pktharness needs %s: %v", tool, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := inNewNetns(func() error {
		ns, err := setupNetns(ctx, []string{"probe0"})
		if err != nil {
			return err
		}
		defer ns.close()
		return ns.nft([]byte(sentinelInput + sentinelIngress([]string{"probe0"})))
	})
	if err != nil {
		return false, fmt.Sprintf("pktharness cannot set up a network namespace: %v", err)
	}
	return true, "root, nft, ip, network namespaces and veth available"
})
