// Turns Ctrl-C and SIGTERM into a clean abort: the running step stops, cleans up and reports NR_INTERRUPTED.
export interface Interrupt {
  signal: AbortSignal
  dispose(): void
}

export function abortOnSignals(signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): Interrupt {
  const controller = new AbortController()
  const onSignal = () => controller.abort()
  // `on`, not `once`: execa's signal-exit re-raises a signal that no other listener is left to handle
  for (const name of signals) process.on(name, onSignal)
  return {
    signal: controller.signal,
    dispose: () => {
      for (const name of signals) process.removeListener(name, onSignal)
    },
  }
}
