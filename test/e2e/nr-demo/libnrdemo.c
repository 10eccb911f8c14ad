/* The shared library of the nr-demo test package: both services map it, so an upgrade replaces their code. */
const char *nr_demo_version(void) { return NR_DEMO_VERSION; }
