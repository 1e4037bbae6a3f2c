#!/usr/bin/env bash
# Install the system packages the tests and lint need beyond Python, on Debian or Ubuntu: make, GNU parallel (the
# test of `prepare_experiments.py | parallel`), chromium (the web page test; Playwright drives /usr/bin/chromium) and
# the shell linter shellcheck (tasks/lint.sh). Only what is missing is installed, with apt-get as root or through
# sudo; otherwise this says what to install and exits 1. `make test` and .ci/run call it.
set -euo pipefail

present() {
  case "$1" in
    parallel) parallel --version 2>/dev/null | grep -q "GNU parallel" ;; # moreutils has another `parallel`
    *) command -v "$1" >/dev/null ;;
  esac
}

missing=()
for package in make parallel chromium shellcheck; do
  present "$package" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

give_up() {
  echo "The tests need these system packages, which are missing: ${missing[*]}." >&2
  echo "$1 Install them as root (\`apt-get install ${missing[*]}\` on Debian or Ubuntu), then run \`make test\` again." >&2
  exit 1
}

if [ "$(id -u)" -eq 0 ]; then
  as_root=(env)
elif command -v sudo >/dev/null; then
  as_root=(sudo env)
else
  give_up "This is not root and there is no sudo."
fi
command -v apt-get >/dev/null || give_up "There is no apt-get here."
echo "Installing the system packages the tests need: ${missing[*]} (${as_root[0]/env/as root} apt-get)."
"${as_root[@]}" DEBIAN_FRONTEND=noninteractive apt-get update -qq || give_up "apt-get update failed."
"${as_root[@]}" DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
  give_up "apt-get install failed."
for package in "${missing[@]}"; do
  present "$package" || give_up "apt-get installed $package, but it is still not found on PATH."
done
