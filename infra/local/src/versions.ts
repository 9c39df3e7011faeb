/**
 * Every version the local stack installs, pinned in one place.
 * Bump here and the cache directory names change with it, so an old build is never reused.
 */
export const VERSIONS = Object.freeze({
  /** Debian bookworm's package; checked, not pinned (apt installs what the distribution ships). */
  mosquitto: '2.0.11',
  /** Built from the Go module proxy; 1.8.x is the newest 1.x that builds without libflux/Rust. */
  influxdb: '1.8.10',
  /** Apache Kafka from Maven Central (artifact kafka_2.13), run in KRaft combined mode. */
  kafka: '4.1.1',
  scala: '2.13',
  /** Kafka 4.0/4.1 log through slf4j 1.7, so the binding is log4j-slf4j-impl (not -slf4j2-). */
  log4j: '2.24.3',
  /** Debian bookworm's package (2.42.0); checked against prometheusMin, not pinned. */
  prometheus: '2.42.0',
  /** The oldest Prometheus the dashboards' PromQL and the launcher's flags were checked with. */
  prometheusMin: [2, 42] as const,
  /** Minimum Java major version Kafka 4 brokers accept. */
  javaMin: 17,
  /** Oldest Go that builds InfluxDB 1.8.10 here: Debian bookworm's golang-go (1.19.8, checked). */
  goMin: [1, 19] as const,
  /** The benchmark's peer path (Mosquitto → Telegraf → InfluxDB), built from the Go module proxy. */
  telegraf: '1.37.2',
  /** The chaos suite's network fault proxy (Shopify's toxiproxy), built from the Go module proxy. */
  toxiproxy: '2.5.0',
  /** The API fuzzer, from PyPI, in a virtual environment of its own (test tooling, not a service). */
  schemathesis: '4.32.5',
  /** The edge tests' independent peers, from PyPI, in one virtual environment (docs/edge-peers.md). */
  pysparkplug: '0.6.1',
  pymodbus: '3.16.1',
  dlt645: '3.2.0',
  /**
   * The mining baseline's reference (test/reference/README.md): LF Energy's OpenDSM from PyPI, in
   * a virtual environment of its own. multimethod is held below 2 because scikit-fda 0.10.1 (an
   * OpenDSM dependency imported by `import opendsm`) fails with 2.x; the numeric stack is pinned
   * so the reference figures do not drift with a new numpy or nlopt.
   */
  opendsm: '1.2.7',
  opendsmMultimethod: '1.12',
  opendsmNumpy: '2.4.6',
  opendsmPandas: '2.3.3',
  opendsmScipy: '1.17.1',
  opendsmNlopt: '2.11.0',
  opendsmNumba: '0.68.1',
  /** schemathesis 4.32 requires Python 3.11 or later (Debian bookworm ships 3.11). */
  pythonMin: [3, 11] as const,
});
