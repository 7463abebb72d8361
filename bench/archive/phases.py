#!/usr/bin/env python3
"""Splits each archive in a studio log (run.sh adds timestamps and the ffmpeg command lines) into its phases:
download (into the store and the staging file), ffprobe, poster + commit. Usage: phases.py studio.log"""
import re
import sys

entries = []
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"^(\d\d):(\d\d):(\d\d\.\d+) \w+: ", line)
    if m:
        entries.append([int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3]), ""])
    elif entries:
        entries[-1][1] += line.strip() + " "

marks = {}
for t, msg in entries:
    # The studio's probe and poster (VideoProbe); the emulator's renders use other arguments.
    if msg.startswith("Running ffprobe") and "-show_streams" in msg:
        marks["probe"] = t
    elif msg.startswith("Running ffmpeg") and "-frames:v 1" in msg:
        marks["poster"] = t
    elif m := re.search(r"archived (\d+) bytes in ([\d.]+) s", msg):
        size, seconds = int(m[1]), float(m[2])
        start = t - seconds
        download = marks["probe"] - start
        print(f"{size / 1048576:.0f} MiB in {seconds:.2f} s: download {download:.2f} s ({size / 1e6 / download:.0f} MB/s), "
              f"ffprobe {marks['poster'] - marks['probe']:.2f} s, poster + commit {t - marks['poster']:.2f} s")
        marks = {}
