// The error code a staging call ended with, or "accepted": the root tests compare codes, not messages.
import {NextrootError} from '../../src/errors.js'

export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (error instanceof NextrootError) return error.code
    throw error
  }

  return 'accepted'
}
