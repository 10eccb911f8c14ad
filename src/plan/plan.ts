// `nextroot plan`: gathers the facts once and decides the lightest step that makes pending changes run.
import {type LocationOptions, type Locations, resolveLocations} from '../locations.js'
import {type Decision, decide} from './decide.js'
import {type PlanFacts, gatherPlanFacts} from './facts.js'

export interface PlanResult extends Decision {
  facts: PlanFacts
  locations: Locations
}

export async function plan(options: LocationOptions = {}): Promise<PlanResult> {
  const locations = resolveLocations(options)
  const facts = await gatherPlanFacts(locations)
  return {...decide(facts), facts, locations}
}
