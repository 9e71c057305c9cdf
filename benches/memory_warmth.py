#!/usr/bin/env python3
"""What this machine charges for memory a process touches for the first time.

A run at 10M people touches about 10 GB; at 1M, about 1 GB. On a virtual machine
whose host takes back the memory the guest has left free for a while (a balloon
with free-page reporting), the first write to such memory costs the host's work
too, so time per record can grow with the run's footprint whatever the program
does. This script measures it: it maps SIZE GB of anonymous memory, writes one
byte per page, unmaps it, and repeats at once (the guest's freed pages are still
backed) and again after PAUSE seconds idle.

    python3 benches/memory_warmth.py --gb 1 10 --pause 30
"""

import argparse
import mmap
import time

PAGE = 4096


def touch(gigabytes: float) -> float:
    """Seconds to map and first-write `gigabytes` of anonymous memory."""
    size = int(gigabytes * (1 << 30)) // PAGE * PAGE
    started = time.perf_counter()
    region = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    view = memoryview(region)
    # One byte per page (a strided copy in C) faults every page in; writing the
    # whole region would add the cost of writing the rest, which is not measured.
    view[::PAGE] = b"\x01" * (size // PAGE)
    seconds = time.perf_counter() - started
    view.release()
    region.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gb", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--pause", type=float, default=30.0)
    args = parser.parse_args()
    print("| GB | after idle s/GB | at once again s/GB |")
    print("|---:|---:|---:|")
    for gigabytes in args.gb:
        time.sleep(args.pause)
        cold = touch(gigabytes) / gigabytes
        warm = touch(gigabytes) / gigabytes
        print(f"| {gigabytes:g} | {cold:.2f} | {warm:.2f} |", flush=True)


if __name__ == "__main__":
    main()
