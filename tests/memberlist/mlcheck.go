// SPDX-License-Identifier: MIT

// mlcheck measures how one user broadcast spreads through a real HashiCorp
// memberlist cluster on loopback: P(every node received it), seconds until
// the last node had it, and how many times it was sent (on gossip, and
// piggybacked on the failure detector's pings and acks).
//
// For each cluster size N it starts N memberlist instances in this process,
// each bound to 127.0.0.1 on a port of its own, with DefaultLANConfig or
// DefaultLocalConfig, joins them into one cluster and waits until every node
// sees N live members.  It then sends B broadcasts one at a time, each from
// a random origin: the origin queues a 32-byte message in its
// TransmitLimitedQueue (as Serf does with a user event); every node that
// receives it for the first time (NotifyMsg) notes the time and queues it in
// its own queue, so it is sent RetransmitMult*ceil(log10(N+1)) times by
// every node.  The next broadcast starts once every queue has drained.
//
// Timers: memberlist creates its gossip and probe tickers when Create runs
// (schedule in state.go); the random stagger in triggerFunc only delays the
// goroutine's first read of a ticker that is already running, so it does
// not move the ticks.  A node's phase is therefore the moment it was
// created, and here node i is created at a uniform random moment within one
// ProbeInterval, as if each agent had been started by hand.
//
// Output: one JSON object per N on standard output; progress on stderr.
package main

import (
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/memberlist"
)

// One user message: 8 bytes of broadcast id, then padding to 32 bytes.
const msgBytes = 32

type bcast []byte

func (b bcast) Invalidates(memberlist.Broadcast) bool { return false }
func (b bcast) Message() []byte                       { return b }
func (b bcast) Finished()                             {}

// What one broadcast did, gathered by the delegates.
type trial struct {
	id       uint64
	start    time.Time
	informed []int64 // ns after start at which node i first had it, -1 if never
	count    int
	sent     [4]int64 // by path: gossip, ping, ack, other (indirect ping, nack)
}

var pathNames = [4]string{"gossip", "ping", "ack", "other"}

// The cluster, and the broadcast in flight (cur, under mu).
type check struct {
	mu    sync.Mutex
	cur   *trial
	curID atomic.Uint64
	nodes []*node
	errs  atomic.Int64 // memberlist log lines at [ERR]
	warns atomic.Int64 // and at [WARN]
}

type node struct {
	idx int
	c   *check
	ml  *memberlist.Memberlist
	q   *memberlist.TransmitLimitedQueue
}

func (n *node) NodeMeta(int) []byte           { return nil }
func (n *node) LocalState(bool) []byte        { return nil }
func (n *node) MergeRemoteState([]byte, bool) {}
func (n *node) numMembers() int               { return n.ml.NumMembers() }
func msgID(b []byte) uint64                   { return binary.BigEndian.Uint64(b) }
func newMsg(id uint64) bcast                  { b := make(bcast, msgBytes); binary.BigEndian.PutUint64(b, id); return b }

// Write counts memberlist's log lines by level, and copies them to -log.
func (c *check) Write(p []byte) (int, error) {
	if strings.Contains(string(p), "[ERR]") {
		c.errs.Add(1)
	} else if strings.Contains(string(p), "[WARN]") {
		c.warns.Add(1)
	}
	if logFile != nil {
		_, _ = logFile.Write(p)
	}
	return len(p), nil
}

var logFile *os.File

// compress: memberlist's EnableCompression (-compress).
var compress = true

// NotifyMsg: first receipt of the current broadcast is timed and re-queued.
func (n *node) NotifyMsg(b []byte) {
	if len(b) < 8 || msgID(b) != n.c.curID.Load() {
		return
	}
	now := time.Now()
	c := n.c
	c.mu.Lock()
	t := c.cur
	fresh := t != nil && t.id == msgID(b) && t.informed[n.idx] < 0
	if fresh {
		t.informed[n.idx] = now.Sub(t.start).Nanoseconds()
		t.count++
	}
	c.mu.Unlock()
	if fresh {
		n.q.QueueBroadcast(newMsg(msgID(b)))
	}
}

// GetBroadcasts hands memberlist what the queue releases and counts each
// transmit by the path that asked: the gossip timer, or a ping or ack
// (memberlist piggybacks broadcasts on every packet it sends).
func (n *node) GetBroadcasts(overhead, limit int) [][]byte {
	if n.q.NumQueued() == 0 {
		return nil
	}
	msgs := n.q.GetBroadcasts(overhead, limit)
	if len(msgs) == 0 {
		return nil
	}
	path := caller()
	c := n.c
	c.mu.Lock()
	for _, m := range msgs {
		if c.cur != nil && msgID(m) == c.cur.id {
			c.cur.sent[path]++
		}
	}
	c.mu.Unlock()
	return msgs
}

// caller names the memberlist function that asked for broadcasts.
func caller() int {
	pc := make([]uintptr, 12)
	frames := runtime.CallersFrames(pc[:runtime.Callers(3, pc)])
	for {
		f, more := frames.Next()
		switch {
		case strings.HasSuffix(f.Function, ").gossip"):
			return 0
		case strings.HasSuffix(f.Function, ").probeNode"):
			return 1
		case strings.HasSuffix(f.Function, ").handlePing"):
			return 2
		}
		if !more {
			return 3
		}
	}
}

func config(name string) *memberlist.Config {
	switch name {
	case "lan":
		return memberlist.DefaultLANConfig()
	case "local":
		return memberlist.DefaultLocalConfig()
	}
	fmt.Fprintf(os.Stderr, "mlcheck: unknown config %q (lan or local)\n", name)
	os.Exit(2)
	return nil
}

// start creates N nodes, node i at a uniform random moment within one
// probe interval, joins them to node 0 and waits until all see N members.
func start(c *check, cfgName string, n int, rng *rand.Rand, until time.Time) error {
	c.nodes = make([]*node, n)
	mk := func(i int) error {
		nd := &node{idx: i, c: c}
		nd.q = &memberlist.TransmitLimitedQueue{NumNodes: nd.numMembers}
		cfg := config(cfgName)
		nd.q.RetransmitMult = cfg.RetransmitMult
		cfg.Name = fmt.Sprintf("n%03d", i)
		cfg.BindAddr, cfg.AdvertiseAddr = "127.0.0.1", "127.0.0.1"
		cfg.BindPort, cfg.AdvertisePort = 0, 0
		cfg.Delegate = nd
		// The only default changed: the per-node buffer between the UDP
		// reader and the message handler.  256 nodes joining in one
		// process on a busy machine overflow 1024 entries; while the
		// cluster is settled it never holds more than a few.
		cfg.HandoffQueueDepth = 1 << 16
		// And the failure detector's patience: 256 agents sharing two busy
		// cores miss acks that 256 machines would not, and a node declared
		// dead is no longer gossiped to.  Suspicion still happens (and is
		// counted in memberlist_warnings); no node is declared dead.
		cfg.SuspicionMult = 1000
		cfg.EnableCompression = compress
		cfg.LogOutput = c
		ml, err := memberlist.Create(cfg)
		if err != nil {
			return err
		}
		nd.ml = ml
		c.nodes[i] = nd
		return nil
	}
	if err := mk(0); err != nil {
		return err
	}
	// Created at random moments (that fixes the timers' phases) ...
	period := config(cfgName).ProbeInterval
	t0 := time.Now()
	errs := make(chan error, n)
	for i := 1; i < n; i++ {
		at := time.Duration(rng.Int63n(int64(period)))
		go func(i int, at time.Duration) {
			time.Sleep(time.Until(t0.Add(at)))
			errs <- mk(i)
		}(i, at)
	}
	for i := 1; i < n; i++ {
		if err := <-errs; err != nil {
			return err
		}
	}
	// ... then joined in batches of 8, each node through a random member,
	// the next batch once every member sees the ones before: memberlist
	// gossips an alive message for every join to everyone, and 255 joins
	// at once on a busy machine starve the failure detector (nodes are
	// marked suspect and dead and the cluster does not settle).
	for i := 1; i < n; {
		hi := i + 8
		if hi > n {
			hi = n
		}
		for ; i < hi; i++ {
			// A join is one TCP exchange (TCPTimeout: 1 s in the Local
			// defaults); on a busy machine it may time out, so up to 5
			// tries, each through another random member.
			var err error
			for try := 0; try < 5; try++ {
				seed := c.nodes[rng.Intn(i)].ml.LocalNode().Address()
				if _, err = c.nodes[i].ml.Join([]string{seed}); err == nil {
					break
				}
			}
			if err != nil {
				return err
			}
		}
		if i/64 != (i-8)/64 || i == n {
			fmt.Fprintf(os.Stderr, "mlcheck: %s N=%d: %d joined, %d errors, %d warnings\n",
				cfgName, n, i, c.errs.Load(), c.warns.Load())
		}
		for !seen(c.nodes[:i], i) {
			if time.Now().After(until) {
				return fmt.Errorf("cluster of %d did not settle before the deadline", n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	for next := time.Now(); time.Now().Before(until); {
		least := n
		for _, nd := range c.nodes {
			if m := nd.ml.NumMembers(); m < least {
				least = m
			}
		}
		if time.Now().After(next) {
			fmt.Fprintf(os.Stderr, "mlcheck: %s N=%d: settling, least members seen %d, %d errors, %d warnings\n",
				cfgName, n, least, c.errs.Load(), c.warns.Load())
			next = next.Add(5 * time.Second)
		}
		if least == n {
			// Let memberlist's own alive messages finish spreading.
			time.Sleep(3 * time.Second)
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("cluster of %d did not settle before the deadline", n)
}

// seen: every one of nodes sees at least want members.
func seen(nodes []*node, want int) bool {
	for _, nd := range nodes {
		if nd.ml.NumMembers() < want {
			return false
		}
	}
	return true
}

// drained: no queue holds anything, twice 20 ms apart (a packet in flight
// may still make a node queue it).
func drained(c *check) bool {
	for k := 0; k < 2; k++ {
		for _, nd := range c.nodes {
			if nd.q.NumQueued() > 0 {
				return false
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// One broadcast from a random origin; returns once drained or timed out.
func broadcast(c *check, id uint64, rng *rand.Rand, timeout time.Duration) (*trial, bool) {
	n := len(c.nodes)
	t := &trial{id: id, informed: make([]int64, n)}
	for i := range t.informed {
		t.informed[i] = -1
	}
	origin := c.nodes[rng.Intn(n)]
	c.mu.Lock()
	c.cur = t
	c.curID.Store(id)
	t.start = time.Now()
	t.informed[origin.idx] = 0
	t.count = 1
	c.mu.Unlock()
	origin.q.QueueBroadcast(newMsg(id))
	deadline := t.start.Add(timeout)
	ok := false
	for time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		if drained(c) {
			ok = true
			break
		}
	}
	if !ok {
		for _, nd := range c.nodes {
			nd.q.Reset()
		}
	}
	c.mu.Lock()
	c.cur = nil
	c.curID.Store(0)
	c.mu.Unlock()
	return t, ok
}

// Clopper-Pearson 95% interval for k successes in n, by bisection on the
// binomial tail.
func binomTail(k, n int, p float64, upper bool) float64 {
	// upper: P(X >= k); else P(X <= k)
	s := 0.0
	lo, hi := 0, k
	if upper {
		lo, hi = k, n
	}
	for j := lo; j <= hi; j++ {
		lg := func(x int) float64 { v, _ := math.Lgamma(float64(x + 1)); return v }
		s += math.Exp(lg(n) - lg(j) - lg(n-j) + float64(j)*math.Log(p) + float64(n-j)*math.Log1p(-p))
	}
	return s
}

func clopperPearson(k, n int) [2]float64 {
	// the p at which f (increasing in p) reaches target
	solve := func(f func(float64) float64, target float64) float64 {
		a, b := 0.0, 1.0
		for it := 0; it < 100; it++ {
			m := (a + b) / 2
			if f(m) < target {
				a = m
			} else {
				b = m
			}
		}
		return (a + b) / 2
	}
	out := [2]float64{0, 1}
	if k > 0 { // P(X >= k | lower) = 0.025
		out[0] = solve(func(p float64) float64 { return binomTail(k, n, p, true) }, 0.025)
	}
	if k < n { // P(X <= k | upper) = 0.025
		out[1] = solve(func(p float64) float64 { return 1 - binomTail(k, n, p, false) }, 0.975)
	}
	return out
}

// Nearest rank: the least x with at least q of the values at or below it
// (null when there are none).
func quantile(sorted []float64, q float64) *float64 {
	if len(sorted) == 0 {
		return nil
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	if i < 0 {
		i = 0
	}
	return &sorted[i]
}

type result struct {
	Config         string      `json:"config"`
	Nodes          int         `json:"nodes"`
	Broadcasts     int         `json:"broadcasts"`
	Full           int         `json:"full"`
	PAll           float64     `json:"p_all"`
	PAllCI         [2]float64  `json:"p_all_ci95"`
	Seconds        [3]*float64 `json:"seconds_p50_p90_p99"`
	SecondsMean    float64     `json:"seconds_mean"`
	TransmitLimit  int         `json:"transmit_limit"`
	TransmitsMean  float64     `json:"transmits_mean"`
	TransmitsMin   int64       `json:"transmits_min"`
	TransmitsMax   int64       `json:"transmits_max"`
	ProbeShare     float64     `json:"probe_share"`
	ByPath         [4]int64    `json:"transmits_by_path"`
	PathNames      [4]string   `json:"path_names"`
	Timeouts       int         `json:"timeouts"`
	MissedNodesSum int         `json:"missed_nodes_sum"`
	Errors         int64       `json:"memberlist_errors"`
	Warnings       int64       `json:"memberlist_warnings"`
	GossipInterval float64     `json:"gossip_interval"`
	ProbeInterval  float64     `json:"probe_interval"`
	Elapsed        float64     `json:"elapsed_seconds"`
	SettleSeconds  float64     `json:"settle_seconds"`
	Truncated      bool        `json:"truncated"`
	LoadAvg        [2]string   `json:"loadavg_start_end"`
	PerBroadcast   [][4]int64  `json:"per_broadcast,omitempty"`
}

func run(cfgName string, n, b int, rng *rand.Rand, deadline time.Time, timeout time.Duration, detail bool) (*result, error) {
	began := time.Now()
	load0 := loadavg()
	c := &check{}
	defer func() {
		for _, nd := range c.nodes {
			if nd != nil && nd.ml != nil {
				_ = nd.ml.Shutdown()
			}
		}
	}()
	if err := start(c, cfgName, n, rng, deadline); err != nil {
		return nil, err
	}
	settled := time.Since(began).Seconds()
	cfg := config(cfgName)
	r := &result{SettleSeconds: settled, Config: cfgName, Nodes: n, PathNames: pathNames,
		GossipInterval: cfg.GossipInterval.Seconds(), ProbeInterval: cfg.ProbeInterval.Seconds(),
		TransmitLimit: cfg.RetransmitMult * int(math.Ceil(math.Log10(float64(n+1)))),
		TransmitsMin:  math.MaxInt64}
	errs0, warns0 := c.errs.Load(), c.warns.Load()
	var secs []float64
	var tsum, psum int64
	for k := 0; k < b; k++ {
		if time.Now().Add(timeout).After(deadline) {
			r.Truncated = true
			break
		}
		// Start at a random moment relative to the gossip ticks.
		time.Sleep(time.Duration(rng.Int63n(int64(cfg.GossipInterval))))
		t, ok := broadcast(c, uint64(k+1)<<16|uint64(n), rng, timeout)
		if !ok {
			r.Timeouts++
		}
		r.Broadcasts++
		var sent int64
		for p, v := range t.sent {
			r.ByPath[p] += v
			sent += v
		}
		tsum += sent
		psum += sent - t.sent[0]
		if sent < r.TransmitsMin {
			r.TransmitsMin = sent
		}
		if sent > r.TransmitsMax {
			r.TransmitsMax = sent
		}
		var last int64
		for _, v := range t.informed {
			if v > last {
				last = v
			}
		}
		if t.count == n {
			r.Full++
			secs = append(secs, float64(last)/1e9)
		} else {
			r.MissedNodesSum += n - t.count
		}
		if detail {
			r.PerBroadcast = append(r.PerBroadcast, [4]int64{int64(t.count), last / 1000, t.sent[0], t.sent[1] + t.sent[2] + t.sent[3]})
		}
		if (k+1)%50 == 0 {
			fmt.Fprintf(os.Stderr, "mlcheck: %s N=%d: %d/%d broadcasts, %d reached all, %.0f s\n",
				cfgName, n, k+1, b, r.Full, time.Since(began).Seconds())
		}
	}
	if r.Broadcasts == 0 {
		return nil, fmt.Errorf("no broadcast sent before the deadline")
	}
	sort.Float64s(secs)
	for j, q := range []float64{0.5, 0.9, 0.99} {
		r.Seconds[j] = quantile(secs, q)
	}
	for _, s := range secs {
		r.SecondsMean += s / float64(len(secs))
	}
	r.PAll = float64(r.Full) / float64(r.Broadcasts)
	r.PAllCI = clopperPearson(r.Full, r.Broadcasts)
	r.TransmitsMean = float64(tsum) / float64(r.Broadcasts)
	if tsum > 0 {
		r.ProbeShare = float64(psum) / float64(tsum)
	}
	r.Errors = c.errs.Load() - errs0
	r.Warnings = c.warns.Load() - warns0
	r.Elapsed = time.Since(began).Seconds()
	r.LoadAvg = [2]string{load0, loadavg()}
	return r, nil
}

// The machine's 1-minute load average (other work delays the timers).
func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return ""
}

func main() {
	nodes := flag.String("nodes", "16,32,64,128,256", "cluster sizes, comma-separated")
	cfgName := flag.String("config", "lan", "memberlist defaults: lan (DefaultLANConfig) or local (DefaultLocalConfig)")
	b := flag.Int("broadcasts", 200, "broadcasts per cluster size")
	seed := flag.Int64("seed", 1, "seed for origins, start moments and gaps (memberlist's own choices are not seeded)")
	total := flag.Duration("deadline", 25*time.Minute, "stop sending broadcasts after this long in all")
	timeout := flag.Duration("timeout", 15*time.Second, "give up on one broadcast draining after this long")
	detail := flag.Bool("detail", false, "add per_broadcast: [informed, microseconds to last, gossip sends, probe sends]")
	flag.BoolVar(&compress, "compress", true, "memberlist's EnableCompression (LZW on every packet; costs CPU, changes no timer)")
	logPath := flag.String("log", "", "append memberlist's own log to this file")
	flag.Parse()
	if *logPath != "" {
		f, err := os.OpenFile(*logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintln(os.Stderr, "mlcheck:", err)
			os.Exit(2)
		}
		logFile = f
	}

	var sizes []int
	for _, s := range strings.Split(*nodes, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || v < 2 || v > 1024 {
			fmt.Fprintf(os.Stderr, "mlcheck: bad node count %q (2 to 1024)\n", s)
			os.Exit(2)
		}
		sizes = append(sizes, v)
	}
	config(*cfgName)
	// Two sockets per node and a few TCP connections while joining.
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil && lim.Cur < lim.Max {
		lim.Cur = lim.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	deadline := time.Now().Add(*total)
	// A hard stop in case memberlist itself hangs (Shutdown, Join).
	time.AfterFunc(*total+2*time.Minute, func() {
		fmt.Fprintln(os.Stderr, "mlcheck: hard deadline passed, exiting")
		os.Exit(3)
	})
	rng := rand.New(rand.NewSource(*seed))
	enc := json.NewEncoder(os.Stdout)
	status := 0
	for _, n := range sizes {
		r, err := run(*cfgName, n, *b, rng, deadline, *timeout, *detail)
		if err != nil {
			fmt.Fprintf(os.Stderr, "mlcheck: %s N=%d: %v\n", *cfgName, n, err)
			status = 1
			continue
		}
		_ = enc.Encode(r)
	}
	os.Exit(status)
}
