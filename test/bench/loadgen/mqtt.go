package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

type account struct {
	ClientID string `json:"clientId"`
	Username string `json:"username"`
	Password string `json:"password"`
}

type device struct {
	account
	Topic string `json:"topic"`
}

type subscriber struct {
	account
	Filter string `json:"filter"`
	// Expect is how many messages the subscriber waits for before the run ends.
	Expect int64 `json:"expect"`
}

type mqttPlan struct {
	URL string `json:"url"`
	// Rate is messages per second over all devices; 0 publishes as fast as acknowledgements allow.
	Rate float64 `json:"rate"`
	// Inflight bounds unacknowledged publishes per connection, as a device's own memory would.
	Inflight int `json:"inflight"`
	// Seconds, when positive, stops publishing the plan's payloads once this long has passed.
	Seconds     float64     `json:"seconds"`
	SampleEvery int         `json:"sampleEvery"`
	PayloadFile string      `json:"payloadFile"`
	Devices     []device    `json:"devices"`
	Subscriber  *subscriber `json:"subscriber"`
}

type mqttResult struct {
	Published      int64   `json:"published"`
	Acked          int64   `json:"acked"`
	Failed         int64   `json:"failed"`
	PublishSeconds float64 `json:"publishSeconds"`
	Received       int64   `json:"received"`
	ReceiveSeconds float64 `json:"receiveSeconds"`
}

type planned struct {
	index   int
	device  int
	payload []byte
}

// readPayloads reads "<device index>\t<payload>" lines.
func readPayloads(path string, devices int) ([]planned, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	scanner := bufio.NewScanner(file)
	scanner.Buffer(make([]byte, 1<<20), 1<<26)
	var out []planned
	for line := 1; scanner.Scan(); line++ {
		head, payload, ok := strings.Cut(scanner.Text(), "\t")
		index, err := strconv.Atoi(head)
		if !ok || err != nil || index < 0 || index >= devices {
			return nil, fmt.Errorf("%s line %d: want '<device index 0..%d>\\t<payload>'", path, line, devices-1)
		}
		out = append(out, planned{index: len(out), device: index, payload: []byte(payload)})
	}
	return out, scanner.Err()
}

func connect(url string, who account, configure func(*paho.ClientOptions)) (paho.Client, error) {
	options := paho.NewClientOptions().AddBroker(url).SetClientID(who.ClientID).
		SetUsername(who.Username).SetPassword(who.Password).SetCleanSession(true).
		SetAutoReconnect(false).SetConnectTimeout(10 * time.Second).SetWriteTimeout(30 * time.Second)
	if configure != nil {
		configure(options)
	}
	client := paho.NewClient(options)
	token := client.Connect()
	if !token.WaitTimeout(15*time.Second) || token.Error() != nil {
		return nil, fmt.Errorf("connect %s: %v", who.ClientID, token.Error())
	}
	return client, nil
}

func runMqtt(args []string) error {
	flags := flag.NewFlagSet("mqtt", flag.ExitOnError)
	planPath := flags.String("plan", "", "plan file (JSON)")
	_ = flags.Parse(args)
	raw, err := os.ReadFile(*planPath)
	if err != nil {
		return err
	}
	var plan mqttPlan
	if err := json.Unmarshal(raw, &plan); err != nil {
		return fmt.Errorf("plan %s: %v", *planPath, err)
	}
	if plan.Inflight <= 0 {
		plan.Inflight = 100
	}
	payloads, err := readPayloads(plan.PayloadFile, len(plan.Devices))
	if err != nil {
		return err
	}

	var result mqttResult
	// Set before the first payload is queued, so the publishers read it after.
	var firstPublish, stopAt time.Time
	received := make(chan struct{})
	var lastReceived, count atomic.Int64
	if plan.Subscriber != nil {
		sub := plan.Subscriber
		client, err := connect(plan.URL, sub.account, func(o *paho.ClientOptions) { o.SetOrderMatters(false) })
		if err != nil {
			return err
		}
		defer client.Disconnect(100)
		token := client.Subscribe(sub.Filter, 1, func(paho.Client, paho.Message) {
			lastReceived.Store(time.Now().UnixNano())
			if count.Add(1) == sub.Expect {
				close(received)
			}
		})
		if !token.WaitTimeout(10*time.Second) || token.Error() != nil {
			return fmt.Errorf("subscribe %s: %v", sub.Filter, token.Error())
		}
	}

	clients := make([]paho.Client, len(plan.Devices))
	for i, d := range plan.Devices {
		if clients[i], err = connect(plan.URL, d.account, nil); err != nil {
			return err
		}
		defer clients[i].Disconnect(100)
	}

	var out sync.Mutex
	stdout := bufio.NewWriter(os.Stdout)
	queues := make([]chan planned, len(plan.Devices))
	var publishers sync.WaitGroup
	for i := range plan.Devices {
		queues[i] = make(chan planned, 1024)
		publishers.Add(1)
		go func(i int) {
			defer publishers.Done()
			slots := make(chan struct{}, plan.Inflight)
			var acks sync.WaitGroup
			for p := range queues[i] {
				slots <- struct{}{}
				if plan.Seconds > 0 && !time.Now().Before(stopAt) {
					// Past the time limit: what is still queued here is not published.
					<-slots
					continue
				}
				token := clients[i].Publish(plan.Devices[i].Topic, 1, false, p.payload)
				atomic.AddInt64(&result.Published, 1)
				acks.Add(1)
				go func(p planned) {
					defer acks.Done()
					defer func() { <-slots }()
					if !token.WaitTimeout(120*time.Second) || token.Error() != nil {
						atomic.AddInt64(&result.Failed, 1)
						return
					}
					atomic.AddInt64(&result.Acked, 1)
					if plan.SampleEvery > 0 && p.index%plan.SampleEvery == 0 {
						out.Lock()
						fmt.Fprintf(stdout, "ack %d %d\n", p.index, time.Now().UnixMilli())
						stdout.Flush()
						out.Unlock()
					}
				}(p)
			}
			acks.Wait()
		}(i)
	}

	firstPublish = time.Now()
	stopAt = firstPublish.Add(time.Duration(plan.Seconds * float64(time.Second)))
	for i, p := range payloads {
		if plan.Seconds > 0 && !time.Now().Before(stopAt) {
			break
		}
		if plan.Rate > 0 {
			due := firstPublish.Add(time.Duration(float64(i) / plan.Rate * float64(time.Second)))
			if wait := time.Until(due); wait > time.Millisecond {
				time.Sleep(wait)
			}
		}
		queues[p.device] <- p
	}
	for _, q := range queues {
		close(q)
	}
	publishers.Wait()
	result.PublishSeconds = time.Since(firstPublish).Seconds()

	if plan.Subscriber != nil {
		select {
		case <-received:
		case <-time.After(120 * time.Second):
			fmt.Fprintln(os.Stderr, "loadgen: the subscriber did not receive every message within 120 s")
		}
		result.Received = count.Load()
		result.ReceiveSeconds = float64(lastReceived.Load()-firstPublish.UnixNano()) / 1e9
	}
	return printResult(&result)
}

func printResult(result any) error {
	encoded, err := json.Marshal(result)
	if err != nil {
		return err
	}
	fmt.Printf("result %s\n", encoded)
	return nil
}
