// Detectors of fabricated or tampered metering data (issue 20).
export {};
