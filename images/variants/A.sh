# shellcheck shell=bash
# Root A: the root the guest boots. Nothing beyond its identity (marker, IMAGE_VERSION).
