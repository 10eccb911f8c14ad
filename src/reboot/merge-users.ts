// Merges the machine's account files into a new root's (pure): the image keeps its system accounts, the
// machine keeps its local ones and every password, and nothing either side has is dropped.
export interface AccountFiles {
  passwd: string
  group: string
  shadow?: string
  gshadow?: string
}

export interface MergedAccounts {
  files: AccountFiles
  /** Accounts and groups taken from the machine (its local users, and system users only it has). */
  fromMachine: string[]
  /** Machine entries whose numeric id the image gives another name: both are kept, and this says so. */
  conflicts: string[]
}

/** login.defs' UID_MIN/UID_MAX (and GID_*) defaults: ids of accounts a person made on the machine. */
const LOCAL_MIN = 1000
const LOCAL_MAX = 60000

type Row = string[]

function rows(text: string | undefined): Row[] {
  return (text ?? '')
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'))
    .map((line) => line.split(':'))
}

function isLocal(row: Row): boolean {
  const id = Number(row[2])
  return id >= LOCAL_MIN && id <= LOCAL_MAX
}

function unionMembers(a: string | undefined, b: string | undefined): string {
  return [...new Set([...(a ?? '').split(','), ...(b ?? '').split(',')].filter(Boolean))].join(',')
}

interface TableMerge {
  rows: Row[]
  /** Name -> the side whose entry was kept. */
  source: Map<string, 'image' | 'machine'>
  conflicts: string[]
}

/** Merges passwd (members undefined) or group (members at field 3) by name. */
function mergeTable(image: Row[], machine: Row[], members?: number): TableMerge {
  const byName = new Map(machine.map((row) => [row[0], row]))
  const source = new Map<string, 'image' | 'machine'>()
  const merged = image.map((row) => {
    const theirs = byName.get(row[0])
    const mine = theirs && isLocal(theirs) ? theirs : row
    source.set(row[0], mine === row ? 'image' : 'machine')
    if (members === undefined || !theirs) return mine
    const copy = [...mine]
    copy[members] = unionMembers(row[members], theirs[members])
    return copy
  })
  const imageIds = new Map(image.map((row) => [row[2], row[0]]))
  const conflicts: string[] = []
  for (const row of machine) {
    if (source.has(row[0])) continue
    const other = imageIds.get(row[2])
    if (other !== undefined) conflicts.push(`${row[0]} has id ${row[2]}, which the new root gives ${other}`)
    source.set(row[0], 'machine')
    merged.push(row)
  }

  return {rows: merged, source, conflicts}
}

/** shadow/gshadow rows in the order of the merged table: the machine's line when it has the account
 * (passwords are the machine's business, root's too), else the image's. */
function follow(table: TableMerge, image: Row[], machine: Row[], members?: number): Row[] {
  const ours = new Map(image.map((r) => [r[0], r]))
  const theirs = new Map(machine.map((r) => [r[0], r]))
  return table.rows.flatMap((account) => {
    const row = theirs.get(account[0]) ?? ours.get(account[0])
    if (!row) return []
    if (members === undefined) return [row]
    const copy = [...row]
    copy[members] = unionMembers(ours.get(account[0])?.[members], theirs.get(account[0])?.[members])
    return [copy]
  })
}

const text = (table: Row[]) => table.map((row) => row.join(':')).join('\n') + '\n'

export function mergeAccounts(image: AccountFiles, machine: AccountFiles): MergedAccounts {
  const passwd = mergeTable(rows(image.passwd), rows(machine.passwd))
  const group = mergeTable(rows(image.group), rows(machine.group), 3)
  const files: AccountFiles = {passwd: text(passwd.rows), group: text(group.rows)}
  if (image.shadow !== undefined || machine.shadow !== undefined)
    files.shadow = text(follow(passwd, rows(image.shadow), rows(machine.shadow)))
  if (image.gshadow !== undefined || machine.gshadow !== undefined)
    files.gshadow = text(follow(group, rows(image.gshadow), rows(machine.gshadow), 3))
  const fromMachine = [
    ...new Set([...passwd.source, ...group.source].filter(([, s]) => s === 'machine').map(([n]) => n)),
  ]
  return {files, fromMachine, conflicts: [...passwd.conflicts, ...group.conflicts.map((c) => `group ${c}`)]}
}
