/** What the heap needs of a task (model.ts's TaskRecord): when it is due and whether it runs now. */
export interface Schedulable {
  scheduleTime: number;
  inFlight: boolean;
}

interface Entry<T> {
  task: T;
  at: number;
  seq: number;
}

/**
 * Min-heap of tasks by schedule time (then insertion order, so equal times dispatch first-in first-out).
 * Entries are never removed in place: a task that was deleted, started or rescheduled leaves a stale entry
 * that `peek` skips, which keeps delete and reschedule O(log n) without an index.
 */
export class TaskHeap<T extends Schedulable> {
  private readonly entries: Entry<T>[] = [];
  private readonly current = new WeakMap<T, number>();
  private nextSeq = 0;

  push(task: T): void {
    const entry = { task, at: task.scheduleTime, seq: this.nextSeq++ };
    this.current.set(task, entry.seq);
    this.entries.push(entry);
    this.up(this.entries.length - 1);
  }

  /** The earliest live task, or undefined; `isLive` says whether a task still waits in the queue. */
  peek(isLive: (task: T) => boolean): T | undefined {
    while (this.entries.length > 0) {
      const top = this.entries[0]!;
      if (this.current.get(top.task) === top.seq && !top.task.inFlight && isLive(top.task)) return top.task;
      this.pop();
    }
    return undefined;
  }

  pop(): void {
    const last = this.entries.pop();
    if (last === undefined || this.entries.length === 0) return;
    this.entries[0] = last;
    this.down(0);
  }

  clear(): void {
    this.entries.length = 0;
  }

  private less(a: Entry<T>, b: Entry<T>): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private up(index: number): void {
    let child = index;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (!this.less(this.entries[child]!, this.entries[parent]!)) return;
      this.swap(child, parent);
      child = parent;
    }
  }

  private down(index: number): void {
    let parent = index;
    for (;;) {
      const left = 2 * parent + 1;
      const right = left + 1;
      let smallest = parent;
      if (left < this.entries.length && this.less(this.entries[left]!, this.entries[smallest]!))
        smallest = left;
      if (right < this.entries.length && this.less(this.entries[right]!, this.entries[smallest]!))
        smallest = right;
      if (smallest === parent) return;
      this.swap(parent, smallest);
      parent = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const entry = this.entries[a]!;
    this.entries[a] = this.entries[b]!;
    this.entries[b] = entry;
  }
}
