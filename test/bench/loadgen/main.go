// Command loadgen drives Meterline's benchmarks from outside Node, so the baselines measure the
// broker and InfluxDB, not the Node publisher. Two modes:
//
//	loadgen mqtt   -plan plan.json   publish planned payloads over MQTT at a paced rate (QoS 1),
//	                                 optionally counting what a subscriber receives (the raw broker rate)
//	loadgen influx -url … -db … -file points.lp   write line protocol as fast as InfluxDB takes it
//
// Results are printed as one JSON line prefixed "result "; sampled publish acknowledgements as
// "ack <payload index> <unix ms>" lines while the run goes on.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: loadgen mqtt -plan FILE | loadgen influx -url URL -db DB -file FILE")
		os.Exit(64)
	}
	var err error
	switch os.Args[1] {
	case "mqtt":
		err = runMqtt(os.Args[2:])
	case "influx":
		err = runInflux(os.Args[2:])
	default:
		err = fmt.Errorf("unknown mode %q (mqtt or influx)", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}
