package server

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// gate bounds what an audit server holds:
//
//   - per client address (IPv6 grouped by /64), the requests it has
//     uploading, waiting or running (perClient);
//   - the bytes of request bodies held in memory by all requests together
//     (bodyLimit), counted as they arrive, so that slow uploads hold only
//     what they have sent;
//   - the estimated memory of the audits admitted, waiting or running
//     (memLimit);
//   - at most `running` audits at once and at most `queued` requests
//     waiting or running. A request enters the queue only once its body
//     is in: a slow upload never holds a queue place.
//
// A request that finds a bound reached is refused at once; one that waits
// for a slot longer than the queue wait is refused too. Nothing grows
// without bound.
type gate struct {
	running chan struct{}
	queued  chan struct{}
	wait    time.Duration

	perClient int
	bodyLimit int64
	memLimit  int64

	mu       sync.Mutex
	held     map[string]int
	uploads  int
	bodyUsed int64
	memUsed  int64
}

var (
	errQueueFull  = errors.New("every audit slot and the queue are taken")
	errQueueWait  = errors.New("waited too long for an audit slot")
	errPerClient  = errors.New("the client holds its share of the queue")
	errBodyBudget = errors.New("the server holds its budget of request bodies")
	errMemBudget  = errors.New("the server holds its memory budget of audits")
)

func newGate(concurrent, queue, perClient int, bodyLimit, memLimit int64, wait time.Duration) *gate {
	return &gate{running: make(chan struct{}, concurrent), queued: make(chan struct{}, concurrent+queue), wait: wait,
		perClient: perClient, bodyLimit: bodyLimit, memLimit: memLimit, held: map[string]int{}}
}

// ticket is what one request holds of the gate; release gives all of it
// back and is safe to call more than once.
type ticket struct {
	g       *gate
	client  string
	claimed bool
	upload  bool
	body    int64
	mem     int64
	queued  bool
	slot    bool
}

// claim takes a share of the client's address for a new request, or fails
// at once when the client holds its share already.
func (g *gate) claim(client string) (*ticket, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.perClient > 0 && g.held[client] >= g.perClient {
		return nil, errPerClient
	}
	g.held[client]++
	g.uploads++
	return &ticket{g: g, client: client, claimed: true, upload: true}, nil
}

// growBody counts n more bytes of the request's body, or fails when the
// server-wide budget of bodies in memory would be exceeded.
func (t *ticket) growBody(n int64) error {
	t.g.mu.Lock()
	defer t.g.mu.Unlock()
	if !reserve(&t.g.bodyUsed, &t.body, n, t.g.bodyLimit) {
		return errBodyBudget
	}
	return nil
}

// reserve adds n to the server's used and to the ticket's held, unless
// used would pass limit (0: no limit). The caller holds the gate's lock.
func reserve(used, held *int64, n, limit int64) bool {
	if limit > 0 && *used+n > limit {
		return false
	}
	*used += n
	*held += n
	return true
}

// uploaded marks the end of the request's upload.
func (t *ticket) uploaded() {
	t.g.mu.Lock()
	defer t.g.mu.Unlock()
	if t.upload {
		t.upload = false
		t.g.uploads--
	}
}

// admit reserves the audit's estimated memory and takes a place in the
// queue, or fails at once.
func (t *ticket) admit(cost int64) error {
	t.uploaded()
	if err := t.growMem(cost); err != nil {
		return err
	}
	select {
	case t.g.queued <- struct{}{}:
		t.queued = true
		return nil
	default:
		return errQueueFull
	}
}

// growMem reserves n more bytes of estimated memory for an admitted
// audit, or fails at once when they do not fit beside the others.
func (t *ticket) growMem(n int64) error {
	t.g.mu.Lock()
	defer t.g.mu.Unlock()
	if !reserve(&t.g.memUsed, &t.mem, n, t.g.memLimit) {
		return errMemBudget
	}
	return nil
}

// run waits (at most the queue wait) for an audit slot.
func (t *ticket) run(ctx context.Context) error {
	timer := time.NewTimer(t.g.wait)
	defer timer.Stop()
	select {
	case t.g.running <- struct{}{}:
		t.slot = true
		return nil
	case <-timer.C:
		return errQueueWait
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (t *ticket) release() {
	g := t.g
	if t.slot {
		<-g.running
		t.slot = false
	}
	if t.queued {
		<-g.queued
		t.queued = false
	}
	t.uploaded()
	g.mu.Lock()
	defer g.mu.Unlock()
	g.bodyUsed -= t.body
	g.memUsed -= t.mem
	t.body, t.mem = 0, 0
	if t.claimed {
		t.claimed = false
		if g.held[t.client]--; g.held[t.client] <= 0 {
			delete(g.held, t.client)
		}
	}
}

// gateState is what the gate holds at one moment.
type gateState struct {
	running, waiting, uploading int
	bodyBytes, memBytes         int64
}

func (g *gate) state() gateState {
	r, q := len(g.running), len(g.queued)
	g.mu.Lock()
	defer g.mu.Unlock()
	return gateState{running: r, waiting: max(q-r, 0), uploading: g.uploads, bodyBytes: g.bodyUsed, memBytes: g.memUsed}
}

// clientKey is the share a client address counts against: the address
// itself for IPv4, its /64 network for IPv6 (one subscriber usually holds
// a whole /64, so single addresses would be free for the taking).
func clientKey(addr string) string {
	ip := net.ParseIP(addr)
	if ip == nil {
		return addr
	}
	if ip4 := ip.To4(); ip4 != nil {
		return ip4.String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
