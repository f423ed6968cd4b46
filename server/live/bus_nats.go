package live

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
)

// NATSBus is a Bus over a NATS server (core NATS: no JetStream needed), for
// several armsflow instances behind one load balancer. Events and room
// states are plain publishes; a room an instance has not heard of is asked
// for with a request that the instances holding it answer.
type NATSBus struct {
	nc *nats.Conn
}

var _ Bus = (*NATSBus)(nil)

// NewNATSBus connects to the NATS server at url (nats://HOST:PORT).
// instanceID names the connection in the NATS server's monitoring. The
// connection reconnects forever; messages published while it is down are
// buffered by the client up to its limit, then dropped.
func NewNATSBus(url, instanceID string) (*NATSBus, error) {
	nc, err := nats.Connect(url,
		nats.Name("armsflow "+instanceID),
		nats.NoEcho(), // the hub delivers its own events locally
		nats.MaxReconnects(-1),
		nats.ReconnectWait(500*time.Millisecond),
		nats.Timeout(5*time.Second),
	)
	if err != nil {
		return nil, fmt.Errorf("connect to NATS at %s: %w", url, err)
	}
	return &NATSBus{nc: nc}, nil
}

// Publish sends msg on subject.
func (b *NATSBus) Publish(ctx context.Context, subject string, msg []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := b.nc.Publish(subject, msg); err != nil {
		return fmt.Errorf("nats publish %s: %w", subject, err)
	}
	return nil
}

// Subscribe calls fn for every message on subject, one at a time.
func (b *NATSBus) Subscribe(subject string, fn func([]byte)) (func(), error) {
	return b.subscribe(subject, func(m *nats.Msg) { fn(m.Data) })
}

// subscribe subscribes and waits until the server has the subscription,
// so a message published right after by another instance is not missed.
func (b *NATSBus) subscribe(subject string, fn nats.MsgHandler) (func(), error) {
	sub, err := b.nc.Subscribe(subject, fn)
	if err == nil {
		err = b.nc.Flush()
	}
	if err != nil {
		return nil, fmt.Errorf("nats subscribe %s: %w", subject, err)
	}
	return func() { _ = sub.Unsubscribe() }, nil
}

// Request sends msg to the repliers of subject and waits for the first
// answer until ctx is done.
func (b *NATSBus) Request(ctx context.Context, subject string, msg []byte) ([]byte, error) {
	m, err := b.nc.RequestWithContext(ctx, subject, msg)
	switch {
	case err == nil:
		return m.Data, nil
	case errors.Is(err, nats.ErrNoResponders), errors.Is(err, context.DeadlineExceeded), errors.Is(err, nats.ErrTimeout):
		return nil, ErrNoReply
	}
	return nil, fmt.Errorf("nats request %s: %w", subject, err)
}

// Reply answers requests on subject with fn's non-nil results.
func (b *NATSBus) Reply(subject string, fn func([]byte) []byte) (func(), error) {
	return b.subscribe(subject, func(m *nats.Msg) {
		if r := fn(m.Data); r != nil {
			_ = m.Respond(r)
		}
	})
}

// Close flushes pending messages and closes the connection.
func (b *NATSBus) Close() error {
	err := b.nc.Drain()
	if err != nil {
		b.nc.Close()
	}
	return err
}
