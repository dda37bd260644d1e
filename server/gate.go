package server

import (
	"context"
	"errors"
	"sync"
	"time"
)

// gate bounds the requests an audit server holds: at most `running` audits
// at once, and at most `queued` requests in all (reading their upload,
// waiting for a slot or auditing). A request that finds the queue full is
// refused at once; one that waits longer than the queue wait is refused
// too. Nothing grows without bound, and memory is bounded by
// queued × MaxUpload plus the running audits' work.
type gate struct {
	running chan struct{}
	queued  chan struct{}
	wait    time.Duration

	// perClient bounds the queue places one client address holds, so
	// that a few slow uploads from one address cannot fill the queue.
	perClient int
	mu        sync.Mutex
	held      map[string]int
}

var (
	errQueueFull = errors.New("every audit slot and the queue are taken")
	errQueueWait = errors.New("waited too long for an audit slot")
	errPerClient = errors.New("the client holds its share of the queue")
)

func newGate(concurrent, queue, perClient int, wait time.Duration) *gate {
	return &gate{running: make(chan struct{}, concurrent), queued: make(chan struct{}, concurrent+queue), wait: wait,
		perClient: perClient, held: map[string]int{}}
}

// enter takes a place in the queue for a client address, or fails at once
// when there is none or the client holds its share already; leave gives it
// back.
func (g *gate) enter(client string) error {
	g.mu.Lock()
	if g.perClient > 0 && g.held[client] >= g.perClient {
		g.mu.Unlock()
		return errPerClient
	}
	g.held[client]++
	g.mu.Unlock()
	select {
	case g.queued <- struct{}{}:
		return nil
	default:
		g.release(client)
		return errQueueFull
	}
}

func (g *gate) leave(client string) {
	<-g.queued
	g.release(client)
}

func (g *gate) release(client string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.held[client]--; g.held[client] <= 0 {
		delete(g.held, client)
	}
}

// run waits (at most the queue wait) for an audit slot; the returned
// release gives it back and must be called exactly once.
func (g *gate) run(ctx context.Context) (release func(), err error) {
	timer := time.NewTimer(g.wait)
	defer timer.Stop()
	select {
	case g.running <- struct{}{}:
		return func() { <-g.running }, nil
	case <-timer.C:
		return nil, errQueueWait
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// busy reports how many audits run and how many requests wait or upload.
func (g *gate) busy() (running, waiting int) {
	r, q := len(g.running), len(g.queued)
	return r, max(q-r, 0)
}
