package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"
)

type influxResult struct {
	Points          int     `json:"points"`
	Seconds         float64 `json:"seconds"`
	PointsPerSecond float64 `json:"pointsPerSecond"`
}

// runInflux writes a line-protocol file to InfluxDB 1.x's /write in batches from parallel
// workers: the raw rate at which the store takes points of a given shape.
func runInflux(args []string) error {
	flags := flag.NewFlagSet("influx", flag.ExitOnError)
	base := flags.String("url", "", "InfluxDB URL")
	db := flags.String("db", "", "database")
	token := flags.String("token", "", "user:password token")
	file := flags.String("file", "", "line protocol, one point per line")
	batch := flags.Int("batch", 5000, "points per write")
	workers := flags.Int("workers", 4, "writes in flight")
	gzipped := flags.Bool("gzip", false, "send the bodies gzipped (compressed before the clock starts)")
	_ = flags.Parse(args)

	lines, err := readLines(*file)
	if err != nil {
		return err
	}
	var bodies [][]byte
	for start := 0; start < len(lines); start += *batch {
		end := min(start+*batch, len(lines))
		body := bytes.Join(lines[start:end], []byte("\n"))
		if *gzipped {
			if body, err = compress(body); err != nil {
				return err
			}
		}
		bodies = append(bodies, body)
	}
	endpoint := fmt.Sprintf("%s/write?db=%s&precision=ms", *base, url.QueryEscape(*db))
	jobs := make(chan []byte)
	errs := make(chan error, *workers)
	var wg sync.WaitGroup
	started := time.Now()
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for body := range jobs {
				if err := write(endpoint, *token, body, *gzipped); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for _, body := range bodies {
		jobs <- body
	}
	close(jobs)
	wg.Wait()
	seconds := time.Since(started).Seconds()
	select {
	case err := <-errs:
		return err
	default:
	}
	return printResult(&influxResult{Points: len(lines), Seconds: seconds, PointsPerSecond: float64(len(lines)) / seconds})
}

func readLines(path string) ([][]byte, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	scanner := bufio.NewScanner(file)
	scanner.Buffer(make([]byte, 1<<20), 1<<22)
	var lines [][]byte
	for scanner.Scan() {
		if len(scanner.Bytes()) > 0 {
			lines = append(lines, bytes.Clone(scanner.Bytes()))
		}
	}
	return lines, scanner.Err()
}

func compress(body []byte) ([]byte, error) {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	if _, err := zw.Write(body); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func write(endpoint, token string, body []byte, gzipped bool) error {
	request, err := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	request.Header.Set("Authorization", "Token "+token)
	if gzipped {
		request.Header.Set("Content-Encoding", "gzip")
	}
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		return err
	}
	defer response.Body.Close()
	if response.StatusCode != http.StatusNoContent {
		detail, _ := io.ReadAll(io.LimitReader(response.Body, 512))
		return fmt.Errorf("InfluxDB answered %d to a write: %s", response.StatusCode, detail)
	}
	return nil
}
