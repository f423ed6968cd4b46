//go:build !linux

package main

import "errors"

// epollReader is Linux only; elsewhere use -probe gorilla.
type epollReader struct{}

func startEpoll([]*client, int, *progress) (*epollReader, error) {
	return nil, errors.New("the epoll probe needs Linux: use -probe gorilla")
}

func (*epollReader) close() {}
