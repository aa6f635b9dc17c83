#!/usr/bin/env bash
# Switch TLS on in the local MariaDB for the TLS tests (crates/oxalchemy-mysql/tests/live/tls.rs).
#
# Generates a throwaway CA and a server certificate for the name "localhost" (only: the tests
# check that 127.0.0.1 is refused by ssl-mode=VERIFY_IDENTITY) into $OXALCHEMY_MARIADB_TLS_DIR
# (default target/mariadb-tls), then restarts mariadbd with --ssl-ca/--ssl-cert/--ssl-key unless
# it already runs with these files. Idempotent: a second run changes nothing. Prints the CA path
# (what OXALCHEMY_TEST_MYSQL_CA should hold; the tests default to the same path).
#
# Needs: openssl, mariadb-admin, start-stop-daemon, root (to restart the server as .ci/run does).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${OXALCHEMY_MARIADB_TLS_DIR:-$PWD/target/mariadb-tls}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
client=(-h 127.0.0.1 -P 3306 -u root)

generated=0
if [[ ! -s $dir/ca.pem || ! -s $dir/server-cert.pem || ! -s $dir/server-key.pem ]]; then
    generated=1
    echo "generating a test CA and a server certificate for localhost in $dir" >&2
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=oxalchemy test CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$dir/ca-key.pem" -out "$dir/ca.pem" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
        -keyout "$dir/server-key.pem" -out "$dir/server.csr" 2>/dev/null
    printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$dir/server.ext"
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" \
        -CAcreateserial -days 3650 -extfile "$dir/server.ext" -out "$dir/server-cert.pem" 2>/dev/null
    # mariadbd runs as the mysql user: it must read the (test-only) key.
    chmod 644 "$dir/server-key.pem"
fi

# The server serves a certificate of this CA: checked by a handshake, not only by the path
# (a fresh checkout at the same path generates a new CA while mariadbd still holds the old one).
serves_this_ca() {
    openssl s_client -connect 127.0.0.1:3306 -starttls mysql -servername localhost \
        -CAfile "$dir/ca.pem" -verify_return_error </dev/null >/dev/null 2>&1
}

current=$(mariadb "${client[@]}" -N -B -e "SELECT CONCAT(@@have_ssl, ' ', @@ssl_ca)" 2>/dev/null || true)
if [[ $generated == 0 && $current == "YES $dir/ca.pem" ]] && serves_this_ca; then
    echo "MariaDB already serves TLS with $dir/ca.pem" >&2
else
    echo "restarting MariaDB with TLS ($dir)" >&2
    if mariadb-admin "${client[@]}" ping --silent >/dev/null 2>&1; then
        mariadb-admin "${client[@]}" shutdown
    fi
    for _ in $(seq 1 60); do
        pgrep -x mariadbd >/dev/null || break
        sleep 0.5
    done
    if pgrep -x mariadbd >/dev/null; then
        echo "MariaDB did not stop within 30 s" >&2
        exit 1
    fi
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- \
        --ssl-ca="$dir/ca.pem" --ssl-cert="$dir/server-cert.pem" --ssl-key="$dir/server-key.pem"
    for _ in $(seq 1 60); do
        mariadb-admin "${client[@]}" ping --silent >/dev/null 2>&1 && break
        sleep 1
    done
    current=$(mariadb "${client[@]}" -N -B -e "SELECT CONCAT(@@have_ssl, ' ', @@ssl_ca)")
    if [[ $current != "YES $dir/ca.pem" ]] || ! serves_this_ca; then
        echo "MariaDB came back without TLS (have_ssl/ssl_ca: $current); see /var/log/mysql/error.log" >&2
        exit 1
    fi
fi
echo "$dir/ca.pem"
