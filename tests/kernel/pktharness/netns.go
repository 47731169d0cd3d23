package pktharness

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
)

// packetQdiscBypass is the socket option PACKET_QDISC_BYPASS
// (linux/if_packet.h), which package syscall lacks.
const packetQdiscBypass = 20

// Names the harness gives its own objects in the namespace.
const (
	sentinelTable = "nftopt_sentinel" // inet and netdev tables
	peerPrefix    = "nftopt-"         // peer ends of the veth pairs: nftopt-p0, nftopt-p1, ...
)

// inNewNetns runs fn on a goroutine locked to an OS thread that it first
// moves into a new, empty network namespace; the sockets fn opens and the
// commands it starts from that goroutine belong to the namespace (Go
// starts new threads from a clean template thread, never from a locked
// one). The thread is never unlocked, so the runtime ends it when fn
// returns, and the namespace goes away with its last socket and process.
func inNewNetns(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := syscall.Unshare(syscall.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("unshare network namespace: %w", err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// netns is the harness's network namespace, set up by setupNetns. Its
// methods must run on the thread inside the namespace.
type netns struct {
	ctx   context.Context
	links map[string]link // by ingress interface name
	sock  int             // AF_PACKET socket that injects frames
	nl    int             // NETLINK_NETFILTER socket: counter reads, conntrack flushes
	seq   uint32          // sequence number of the last request on nl
}

// link is a veth pair: an ingress interface of the packets and its peer,
// from which the harness sends.
type link struct {
	mac  net.HardwareAddr // the ingress interface's MAC
	peer int              // the peer's ifindex
}

// setupNetns prepares the current (new) namespace for packets arriving on
// the interfaces ifaces: see step 1 of the package documentation.
func setupNetns(ctx context.Context, ifaces []string) (_ *netns, err error) {
	ns := &netns{ctx: ctx, links: make(map[string]link), sock: -1, nl: -1}
	defer func() {
		if err != nil {
			ns.close()
		}
	}()
	// Defaults first, so that new interfaces inherit them; then all and
	// each interface explicitly.
	var sysctls [][2]string
	for _, dev := range []string{"default", "all"} {
		sysctls = append(sysctls, ipv4Sysctls(dev)...)
		sysctls = append(sysctls, [2]string{"ipv6/conf/" + dev + "/accept_dad", "0"})
	}
	if err := writeSysctls(sysctls); err != nil {
		return nil, err
	}
	create := []string{"link set dev lo up"}
	up := []string{
		"route add local 0.0.0.0/0 dev lo table local",
		"route add local ::/0 dev lo table local",
	}
	sysctls = nil
	for i, name := range ifaces {
		peer := fmt.Sprintf("%sp%d", peerPrefix, i)
		create = append(create, fmt.Sprintf("link add name %s mtu %d type veth peer name %s mtu %d", name, maxLength, peer, maxLength))
		// The end that comes up second finds the carrier on and gets its
		// queueing discipline at once, not later from the link watch:
		// that must be the peer, which sends.
		up = append(up, "link set dev "+name+" up", "link set dev "+peer+" up",
			// Link-local destinations are looked up strictly on the
			// ingress interface, so the route on lo does not apply to
			// them. Routes for one prefix need distinct metrics.
			fmt.Sprintf("route add local fe80::/10 dev %s table local metric %d", name, i+1))
		sysctls = append(sysctls, ipv4Sysctls(name)...)
		sysctls = append(sysctls,
			[2]string{"ipv6/conf/" + name + "/disable_ipv6", "0"},
			[2]string{"ipv6/conf/" + name + "/accept_dad", "0"},
			// The peer only sends; without IPv6 it neither answers nor
			// sends neighbour discovery of its own.
			[2]string{"ipv6/conf/" + peer + "/disable_ipv6", "1"})
	}
	if err := ns.ip(create); err != nil {
		return nil, err
	}
	if err := writeSysctls(sysctls); err != nil {
		return nil, err
	}
	if err := ns.ip(up); err != nil {
		return nil, err
	}
	for i, name := range ifaces {
		in, err := net.InterfaceByName(name)
		if err != nil {
			return nil, fmt.Errorf("interface %s: %w", name, err)
		}
		peer, err := net.InterfaceByName(fmt.Sprintf("%sp%d", peerPrefix, i))
		if err != nil {
			return nil, fmt.Errorf("peer of interface %s: %w", name, err)
		}
		ns.links[name] = link{mac: in.HardwareAddr, peer: peer.Index}
	}
	// Protocol 0: the socket sends only and never receives. Frames go
	// straight to the veth driver, bypassing the peer's queueing
	// discipline, which would drop them until the kernel activates it.
	if ns.sock, err = syscall.Socket(syscall.AF_PACKET, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC, 0); err != nil {
		return nil, fmt.Errorf("packet socket: %w", err)
	}
	if err := syscall.SetsockoptInt(ns.sock, syscall.SOL_PACKET, packetQdiscBypass, 1); err != nil {
		return nil, fmt.Errorf("packet socket: PACKET_QDISC_BYPASS: %w", err)
	}
	if ns.nl, err = syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC, syscall.NETLINK_NETFILTER); err != nil {
		return nil, fmt.Errorf("netfilter netlink socket: %w", err)
	}
	if err := syscall.Bind(ns.nl, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("netfilter netlink socket: %w", err)
	}
	return ns, nil
}

// ipv4Sysctls are the IPv4 settings, for device dev (or all or default),
// that let packets from any source reach the input hook: no reverse-path
// filter, local addresses accepted as sources, and 127.0.0.0/8 routed.
func ipv4Sysctls(dev string) [][2]string {
	return [][2]string{
		{"ipv4/conf/" + dev + "/rp_filter", "0"},
		{"ipv4/conf/" + dev + "/accept_local", "1"},
		{"ipv4/conf/" + dev + "/route_localnet", "1"},
	}
}

// writeSysctls writes each value to its file under /proc/sys/net, which
// shows the namespace of the thread that opens it.
func writeSysctls(sysctls [][2]string) error {
	for _, s := range sysctls {
		if err := os.WriteFile("/proc/sys/net/"+s[0], []byte(s[1]), 0); err != nil {
			return fmt.Errorf("sysctl: %w", err)
		}
	}
	return nil
}

// close releases the namespace's sockets.
func (ns *netns) close() {
	for _, fd := range []int{ns.sock, ns.nl} {
		if fd >= 0 {
			syscall.Close(fd)
		}
	}
}

// command runs name with args and stdin in the namespace and returns its
// standard output; on failure the error carries its standard error.
func (ns *netns) command(stdin []byte, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ns.ctx, name, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %w: %s", strings.Join(cmd.Args, " "), err, bytes.TrimSpace(stderr.Bytes()))
	}
	return stdout.Bytes(), nil
}

// ip runs the ip commands lines in one `ip -batch -`.
func (ns *netns) ip(lines []string) error {
	_, err := ns.command([]byte(strings.Join(lines, "\n")+"\n"), "ip", "-batch", "-")
	return err
}

// nft loads the ruleset text with `nft -f -`.
func (ns *netns) nft(text []byte) error {
	_, err := ns.command(text, "nft", "-f", "-")
	return err
}

// sentinelInput is the harness's inet table: a set of IDs per family and
// an input chain at the highest priority that adds the ID of each harness
// packet that gets there. Run loads it before the ruleset, because chains
// of equal priority run newest first. It is created with `create`, so a
// ruleset that uses its name makes loading fail instead of mixing with it.
var sentinelInput = fmt.Sprintf(`create table inet %[1]s
table inet %[1]s {
	set seen4 {
		typeof ip id
		size 65536
		flags dynamic
	}

	set seen6 {
		typeof ip6 flowlabel
		size 65536
		flags dynamic
	}

	chain %[2]s {
		type filter hook input priority %[3]d; policy accept;
		ether saddr %[4]s add @seen4 { ip id }
		ether saddr %[4]s add @seen6 { ip6 flowlabel }
	}
}
`, sentinelTable, sentinelChain, math.MaxInt32, harnessMAC)

// sentinelChain is the name of the sentinel's input chain.
const sentinelChain = "seen"

// sentinelIngress returns the harness's netdev table for the ingress
// interfaces ifaces: a chain at the lowest priority that counts harness
// packets as they arrive, before the stack processes them. Run loads it
// after the ruleset, so that it runs before the ruleset's chains of equal
// priority.
func sentinelIngress(ifaces []string) string {
	devices := make([]string, len(ifaces))
	for i, name := range ifaces {
		devices[i] = `"` + name + `"`
	}
	return fmt.Sprintf(`create table netdev %[1]s
table netdev %[1]s {
	counter rx {
	}

	chain rx {
		type filter hook ingress devices = { %[2]s } priority %[3]d; policy accept;
		ether saddr %[4]s counter name "rx"
	}
}
`, sentinelTable, strings.Join(devices, ", "), math.MinInt32, harnessMAC)
}

// inputChains reports whether the sentinel's input chain exists, and
// returns the ruleset's other input-hook base chains of the sentinel's
// priority, as "family table chain".
func (ns *netns) inputChains() (sentinel bool, last []string, err error) {
	objs, err := ns.nftList("chains")
	if err != nil {
		return false, nil, err
	}
	for _, o := range objs {
		raw, ok := o["chain"]
		if !ok {
			continue
		}
		var c struct {
			Family, Table, Name, Hook string
			Prio                      int64
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return false, nil, fmt.Errorf("nft -j list chains: %w", err)
		}
		switch {
		case c.Family == "inet" && c.Table == sentinelTable && c.Name == sentinelChain:
			sentinel = true
		case c.Hook == "input" && c.Prio == math.MaxInt32 && (c.Family == "ip" || c.Family == "ip6" || c.Family == "inet"):
			last = append(last, c.Family+" "+c.Table+" "+c.Name)
		}
	}
	return sentinel, last, nil
}

// inject sends p to its ingress interface from the interface's peer.
func (ns *netns) inject(p Packet) error {
	l := ns.links[p.Iif]
	etherType := uint16(etherTypeIPv4)
	if p.Family == "ip6" {
		etherType = etherTypeIPv6
	}
	sa := &syscall.SockaddrLinklayer{Ifindex: l.peer, Protocol: htons(etherType)}
	return syscall.Sendto(ns.sock, p.frame(l.mac), 0, sa)
}

// htons converts v to network byte order, as sockaddr_ll wants it.
func htons(v uint16) uint16 {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], v)
	return binary.NativeEndian.Uint16(b[:])
}

// nftList runs `nft -j list` with args and decodes the objects it prints.
func (ns *netns) nftList(args ...string) ([]map[string]json.RawMessage, error) {
	out, err := ns.command(nil, "nft", append([]string{"-j", "list"}, args...)...)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Nftables []map[string]json.RawMessage `json:"nftables"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("nft -j list %s: %w", strings.Join(args, " "), err)
	}
	return doc.Nftables, nil
}

// seen returns the IDs in the sentinel sets: the IPv4 and the IPv6 packets
// that passed the input hook.
func (ns *netns) seen() (seen4, seen6 map[int]bool, err error) {
	objs, err := ns.nftList("table", "inet", sentinelTable)
	if err != nil {
		return nil, nil, err
	}
	seen4, seen6 = make(map[int]bool), make(map[int]bool)
	for _, o := range objs {
		raw, ok := o["set"]
		if !ok {
			continue
		}
		var set struct {
			Name string `json:"name"`
			Elem []int  `json:"elem"`
		}
		if err := json.Unmarshal(raw, &set); err != nil {
			return nil, nil, fmt.Errorf("sentinel set: %w", err)
		}
		ids := seen4
		if set.Name == "seen6" {
			ids = seen6
		}
		for _, id := range set.Elem {
			ids[id] = true
		}
	}
	return seen4, seen6, nil
}

// nfnetlink messages and attributes the harness uses, from
// linux/netfilter/nfnetlink.h, nf_tables.h and nfnetlink_conntrack.h.
const (
	nfnlSubsysCtnetlink = 1
	nfnlSubsysNftables  = 10
	ipctnlMsgCtDelete   = 2
	nftMsgGetObj        = 19
	nfprotoNetdev       = 5
	nftaObjTable        = 1
	nftaObjName         = 2
	nftaObjType         = 3
	nftaObjData         = 4
	nftObjectCounter    = 1
	nftaCounterPackets  = 2
)

// ingressCount returns the packets counted by the sentinel ingress chain.
// It asks nf_tables over netlink rather than running nft, because Run
// calls it between packets that share a conntrack flow.
func (ns *netns) ingressCount() (int, error) {
	var req []byte
	req = appendAttr(req, nftaObjTable, append([]byte(sentinelTable), 0))
	req = appendAttr(req, nftaObjName, []byte("rx\x00"))
	req = appendAttr(req, nftaObjType, binary.BigEndian.AppendUint32(nil, nftObjectCounter))
	replies, err := ns.nfnetlink(nfnlSubsysNftables<<8|nftMsgGetObj, nfprotoNetdev, req)
	if err != nil {
		return 0, fmt.Errorf("read sentinel counter: %w", err)
	}
	for _, r := range replies {
		counter := parseAttrs(parseAttrs(r)[nftaObjData])
		if pkts := counter[nftaCounterPackets]; len(pkts) == 8 {
			return int(binary.BigEndian.Uint64(pkts)), nil
		}
	}
	return 0, fmt.Errorf("read sentinel counter: no packet count in the reply")
}

// flushConntrack empties the namespace's conntrack table: a ctnetlink
// delete without a tuple, for family AF_UNSPEC, deletes every entry.
func (ns *netns) flushConntrack() error {
	if _, err := ns.nfnetlink(nfnlSubsysCtnetlink<<8|ipctnlMsgCtDelete, syscall.AF_UNSPEC, nil); err != nil {
		return fmt.Errorf("flush conntrack: %w", err)
	}
	return nil
}

// nfnetlink sends the nfnetlink request typ for family with the encoded
// attributes attrs, waits for its acknowledgement and returns the
// attributes of the messages that came before it.
func (ns *netns) nfnetlink(typ uint16, family uint8, attrs []byte) ([][]byte, error) {
	ns.seq++
	msg := make([]byte, syscall.NLMSG_HDRLEN, syscall.NLMSG_HDRLEN+4+len(attrs))
	binary.NativeEndian.PutUint16(msg[4:], typ)
	binary.NativeEndian.PutUint16(msg[6:], syscall.NLM_F_REQUEST|syscall.NLM_F_ACK)
	binary.NativeEndian.PutUint32(msg[8:], ns.seq)
	msg = append(msg, family, 0, 0, 0) // struct nfgenmsg: version 0, res_id 0
	msg = append(msg, attrs...)
	binary.NativeEndian.PutUint32(msg[0:], uint32(len(msg)))
	if err := syscall.Sendto(ns.nl, msg, 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return nil, err
	}
	var replies [][]byte
	buf := make([]byte, 1<<16)
	for {
		n, _, err := syscall.Recvfrom(ns.nl, buf, 0)
		if err != nil {
			return nil, err
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			switch {
			case m.Header.Seq != ns.seq:
				// An answer to an earlier request that failed midway.
			case m.Header.Type == syscall.NLMSG_ERROR:
				if len(m.Data) < 4 {
					return nil, fmt.Errorf("short netlink error message")
				}
				if errno := int32(binary.NativeEndian.Uint32(m.Data)); errno != 0 {
					return nil, syscall.Errno(-errno)
				}
				return replies, nil
			case len(m.Data) >= 4:
				replies = append(replies, m.Data[4:]) // after struct nfgenmsg
			}
		}
	}
}

// appendAttr appends a netlink attribute of type typ and value v to b.
func appendAttr(b []byte, typ uint16, v []byte) []byte {
	b = binary.NativeEndian.AppendUint16(b, uint16(4+len(v)))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = append(b, v...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// parseAttrs splits netlink attributes by type (nested and byte-order
// flags cleared); it stops at the first malformed one.
func parseAttrs(b []byte) map[uint16][]byte {
	attrs := make(map[uint16][]byte)
	for len(b) >= 4 {
		n := int(binary.NativeEndian.Uint16(b))
		if n < 4 || n > len(b) {
			break
		}
		attrs[binary.NativeEndian.Uint16(b[2:])&0x3fff] = b[4:n]
		b = b[min((n+3)&^3, len(b)):]
	}
	return attrs
}
