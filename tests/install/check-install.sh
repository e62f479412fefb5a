#!/usr/bin/env bash
# Installs Hebb from BUILD_DIR into a fresh prefix and builds examples/c_host
# against the installed package only (find_package(Hebb), hebb_add_network),
# then runs both programs and links a C program through pkg-config.
#   check-install.sh SOURCE_DIR BUILD_DIR WORK_DIR
set -euo pipefail
src=$1 build=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" > "$work/install.log"

# The installed tree alone: no path into the source or build tree.
for f in bin/hebbc bin/hebb lib/libhebb_runtime.a lib/libhebb_runtime.so \
         include/hebb/hebb.h share/hebb/stdlib/neurons/lif.hebb \
         lib/cmake/Hebb/HebbConfig.cmake lib/pkgconfig/hebb.pc; do
  test -e "$prefix/$f" || { echo "missing $f"; exit 1; }
done

cmake -S "$src/examples/c_host" -B "$work/c_host" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" > "$work/configure.log"
cmake --build "$work/c_host" > "$work/build.log"
mkdir -p "$work/out"
"$work/c_host/c_host_network" "$work/out" "$work/out/half.ckpt" | tee "$work/run.log"
grep -q "the same state at 1 s" "$work/run.log"
test -s "$work/out/P_spikes_t.npy"

# pkg-config, with the object of a network compiled by the installed hebbc.
"$prefix/bin/hebbc" "$src/examples/oja_pca.hebb" -c -o "$work/oja_pca.o" \
  --header "$work/oja_pca.h"
cat > "$work/app.c" <<'C'
#include "oja_pca.h"
#include <stdio.h>
int main(void) {
  hebb_network *net;
  double w[10];
  if (oja_pca_create(HEBB_DEFAULT_SEED, &net) != HEBB_OK ||
      hebb_run_duration(net, 1.0) != HEBB_OK ||
      hebb_read_state(net, "syn.w", w, 10) != HEBB_OK) {
    puts(hebb_last_error());
    return 1;
  }
  printf("ran %g s\n", hebb_time(net));
  hebb_network_destroy(net);
  return 0;
}
C
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
cc -I"$work" "$work/app.c" "$work/oja_pca.o" \
  $(pkg-config --cflags --libs --static hebb) -Wl,-rpath,"$prefix/lib" \
  -o "$work/app"
"$work/app" | grep -q "ran 1 s"
echo "install: OK"
