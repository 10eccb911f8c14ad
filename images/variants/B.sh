# shellcheck shell=bash
# Root B: the "update" that scenarios stage and switch to. Nothing beyond its identity.
