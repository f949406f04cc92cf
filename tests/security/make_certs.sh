#!/bin/sh
# Test certificates for the TLS tests (tests/service/security_test.cc), made
# with openssl into DIR (EC P-256 keys, valid one day):
#   ca.pem                 the CA the server's clients trust and that signs
#                          client certificates (--tls-client-ca)
#   server.pem/.key        localhost and 127.0.0.1, signed by ca
#   client.pem/.key        CN=admin-client (SAN DNS admin-client), signed by ca
#   someone.pem/.key       CN=someone-else, signed by ca (not allowed on admin)
#   other-ca.pem           another CA; other-client.pem/.key signed by it
#   ca2.pem                a second CA; server2.pem/.key (localhost,
#                          127.0.0.1) signed by it: the rotated certificate
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"

ca() {  # name CN
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$1.key" -out "$1.pem" -subj "/CN=$2" -days 1 2>/dev/null
}
leaf() {  # name CN ca san
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$4" \
    > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" \
    -CAcreateserial -out "$1.pem" -days 1 -extfile "$1.ext" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

ca ca "healthscore test CA"
ca other-ca "another test CA"
ca ca2 "healthscore test CA 2"
leaf server localhost ca "DNS:localhost,IP:127.0.0.1"
leaf server2 localhost ca2 "DNS:localhost,IP:127.0.0.1"
leaf client admin-client ca "DNS:admin-client"
leaf someone someone-else ca "DNS:someone-else"
leaf other-client admin-client other-ca "DNS:admin-client"
