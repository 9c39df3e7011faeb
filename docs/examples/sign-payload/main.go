// Signs Meterline MQTT payloads (v1) with Ed25519, as a device registered with a public key must.
//
// What is signed: the RFC 8785 canonical JSON (JCS) of the payload object without its "sig"
// member, as UTF-8. The signature (RFC 8032 Ed25519, 64 bytes) goes into "sig", base64url
// without padding. The registry holds the device's public key as a JWK (RFC 8037).
//
//	go run . -key device.key keygen          # a new private key (its 32-byte seed, hex) in device.key, mode 0600
//	go run . -key device.key jwk             # the public key as the JWK for the registry's device entry
//	go run . -key device.key sign < p.json   # the payload on stdin, signed, on stdout
//
// Only the Go standard library is used. Go's encoding/json, decoding into interface{} values
// and encoding them with HTML escaping off, writes the canonical form of every valid Meterline
// payload: members sorted by key (ASCII keys sort the same by bytes and by UTF-16 units),
// numbers as ECMAScript prints them (shortest round trip, exponent below 1e-6 and from 1e21),
// no whitespace. It differs from RFC 8785 only for strings holding U+2028, U+2029 or control
// characters and for -0, none of which a valid payload needs; a general JCS library is the
// safe choice for other JSON.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	keyFile := flag.String("key", "device.key", "file holding the device's private key: its 32-byte Ed25519 seed in hex")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: %s [-key FILE] keygen | jwk | sign < payload.json\n", os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *keyFile, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sign-payload:", err)
		os.Exit(1)
	}
}

func run(command, keyFile string, in io.Reader, out io.Writer) error {
	switch command {
	case "keygen":
		seed := make([]byte, ed25519.SeedSize)
		if _, err := rand.Read(seed); err != nil {
			return err
		}
		// O_EXCL: never overwrite a device's key by mistake.
		f, err := os.OpenFile(keyFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = fmt.Fprintln(f, hex.EncodeToString(seed))
		return err
	case "jwk":
		key, err := readKey(keyFile)
		if err != nil {
			return err
		}
		return json.NewEncoder(out).Encode(publicJwk(key))
	case "sign":
		key, err := readKey(keyFile)
		if err != nil {
			return err
		}
		payload, err := io.ReadAll(in)
		if err != nil {
			return err
		}
		signed, err := sign(payload, key)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(out, string(signed))
		return err
	default:
		return fmt.Errorf("unknown command %q (keygen, jwk or sign)", command)
	}
}

func readKey(keyFile string) (ed25519.PrivateKey, error) {
	text, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, err
	}
	seed, err := hex.DecodeString(strings.TrimSpace(string(text)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%s must hold %d bytes in hex", keyFile, ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

type jwk struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
}

func publicJwk(key ed25519.PrivateKey) jwk {
	public := key.Public().(ed25519.PublicKey)
	return jwk{Kty: "OKP", Crv: "Ed25519", X: base64.RawURLEncoding.EncodeToString(public)}
}

// canonical writes a decoded JSON value in its canonical form (see the package comment).
func canonical(value interface{}) ([]byte, error) {
	var buf bytes.Buffer
	encoder := json.NewEncoder(&buf)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(value); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// sign returns the payload with its "sig" member: the signature of the payload without "sig".
func sign(payload []byte, key ed25519.PrivateKey) ([]byte, error) {
	var object map[string]interface{}
	if err := json.Unmarshal(payload, &object); err != nil {
		return nil, fmt.Errorf("the payload is not a JSON object: %w", err)
	}
	if object == nil {
		return nil, errors.New("the payload is not a JSON object: null")
	}
	delete(object, "sig")
	signedBytes, err := canonical(object)
	if err != nil {
		return nil, err
	}
	object["sig"] = base64.RawURLEncoding.EncodeToString(ed25519.Sign(key, signedBytes))
	return canonical(object)
}
