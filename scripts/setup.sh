#!/usr/bin/env bash
# Installs what Face ID Boom needs on Debian 12 and checks the face models.
# Idempotent: when nothing is missing it only checks and prints one line.
#   1. Debian packages from scripts/debian-packages.txt (asks for sudo only for apt-get).
#   2. npm packages pinned by package-lock.json (the face models, Swagger UI, the browser driver).
#   3. Copies the ONNX models to models/ and checks each against models/SHA256SUMS.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

say() { echo "setup: $*" >&2; }

# ---- 1. Debian packages -------------------------------------------------------------------------
wanted=$(sed -e 's/#.*//' -e '/^\s*$/d' scripts/debian-packages.txt ${FACEID_EXTRA_PACKAGES_FILE:-})
missing=()
for pkg in $wanted; do
    # nodejs/npm may come from elsewhere (e.g. NodeSource): a working binary is enough.
    if [[ $pkg == nodejs ]] && command -v node >/dev/null; then continue; fi
    if [[ $pkg == npm ]] && command -v npm >/dev/null; then continue; fi
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
    say "installing Debian packages: ${missing[*]}"
    sudo_cmd=()
    if [[ $(id -u) != 0 ]]; then
        say "this needs root for apt-get; asking sudo"
        sudo_cmd=(sudo)
    fi
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# ---- 2. npm packages ----------------------------------------------------------------------------
stamp=node_modules/.faceid-lock.sha256
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$lock_sum" ]]; then
    say "installing npm packages from package-lock.json"
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2
    echo "$lock_sum" >"$stamp"
fi

# ---- 3. models ----------------------------------------------------------------------------------
src=node_modules/faceplugin-face-recognition-js/model
while read -r sum file; do
    if [[ ! -f models/$file ]] || ! echo "$sum  models/$file" | sha256sum --quiet -c - 2>/dev/null; then
        [[ -f $src/$file ]] || { say "model $file is missing from the npm package ($src)"; exit 1; }
        cp "$src/$file" "models/$file.tmp" && mv "models/$file.tmp" "models/$file"
        if ! echo "$sum  models/$file" | sha256sum --quiet -c - 2>/dev/null; then
            say "model $file does not match models/SHA256SUMS; delete node_modules and run 'make setup' again"
            exit 1
        fi
        say "model $file installed"
    fi
done <models/SHA256SUMS
say "ok (packages, npm modules and $(wc -l <models/SHA256SUMS) models in $root/models)"
