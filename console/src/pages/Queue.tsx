/**
 * Open incidents, P1 first then the nearest SLA deadline; filters; refreshed every 5 s (every
 * 30 s once more than five pages are loaded: each refresh reads every loaded page). A virtual
 * list: only the rows in view are in the page, the next page is read as the end comes near.
 */
import { useInfiniteQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import { api, type Incident } from '../api.js';
import { hrefOf } from '../router.js';
import { Countdown, nextDeadline, Time, useNow } from '../time.js';

interface Page {
  incidents: Incident[];
  nextCursor: string | null;
}

const PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'];

export function Queue() {
  const [filter, setFilter] = useState({ priority: '', stage: '', playbook: '', breached: false });
  const now = useNow();
  const params = (cursor?: string) => {
    const query = new URLSearchParams({ open: 'true', sort: 'priority', limit: '100' });
    if (filter.priority) query.set('priority', filter.priority);
    if (filter.stage) query.set('stage', filter.stage);
    if (filter.playbook) query.set('playbook', filter.playbook);
    if (filter.breached) query.set('slaBreached', 'true');
    if (cursor) query.set('cursor', cursor);
    return query.toString();
  };
  const pages = useInfiniteQuery({
    queryKey: ['queue', filter],
    queryFn: ({ pageParam }) => api<Page>(`/v1/incidents?${params(pageParam)}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: (query) => ((query.state.data?.pages.length ?? 0) > 5 ? 30_000 : 5_000),
  });
  const incidents = (pages.data?.pages ?? []).flatMap((p) => p.incidents);
  const rank = (i: Incident) => [i.priority, nextDeadline(i.sla) ?? '9999'].join('|');
  const sorted = [...incidents].sort((a, b) => rank(a).localeCompare(rank(b)));
  const scroller = useRef<HTMLDivElement>(null);
  const rows = useVirtualizer({ count: sorted.length, getScrollElement: () => scroller.current, estimateSize: () => 37, overscan: 20 });
  const visible = rows.getVirtualItems();
  const last = visible.at(-1)?.index ?? 0;
  useEffect(() => {
    if (pages.hasNextPage && !pages.isFetchingNextPage && last > sorted.length - 40) void pages.fetchNextPage();
  }, [last, sorted.length, pages]);
  const above = visible[0]?.start ?? 0;
  const below = rows.getTotalSize() - (visible.at(-1)?.end ?? 0);
  return (
    <section aria-labelledby="queue-title">
      <h1 id="queue-title">Queue</h1>
      <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Priority{' '}
          <select value={filter.priority} onChange={(e) => setFilter({ ...filter, priority: e.target.value })}>
            <option value="">any</option>
            {PRIORITIES.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          Stage <input value={filter.stage} onChange={(e) => setFilter({ ...filter, stage: e.target.value.trim() })} size={12} />
        </label>
        <label>
          Playbook <input value={filter.playbook} onChange={(e) => setFilter({ ...filter, playbook: e.target.value.trim() })} size={12} />
        </label>
        <label>
          <input type="checkbox" checked={filter.breached} onChange={(e) => setFilter({ ...filter, breached: e.target.checked })} /> SLA breached
        </label>
      </form>
      {pages.error && <p role="alert" className="error">{String(pages.error.message)}</p>}
      <div ref={scroller} className="queue-scroll" tabIndex={0} aria-label="Open incidents, scrollable">
      <table className="queue">
        <caption className="muted">{`${sorted.length} open incidents${pages.hasNextPage ? ' loaded so far' : ''}`}{pages.isFetching ? ', refreshing…' : ''}</caption>
        <thead>
          <tr>
            <th scope="col">Priority</th>
            <th scope="col">Incident</th>
            <th scope="col">Stage</th>
            <th scope="col">Severity</th>
            <th scope="col">SLA</th>
            <th scope="col">Assignee</th>
            <th scope="col">Opened</th>
          </tr>
        </thead>
        <tbody>
          {above > 0 && <tr aria-hidden="true" style={{ height: above }} />}
          {visible.map(({ index }) => sorted[index]!).map((incident) => (
            <tr key={incident.id} className={`priority-${incident.priority}`}>
              <td>{incident.priority}</td>
              <td>
                <a href={hrefOf({ page: 'incident', id: incident.id })}>{incident.title}</a> <span className="muted">{incident.id}</span>
              </td>
              <td>{incident.stage}</td>
              <td>{incident.severity}</td>
              <td>
                <Countdown deadline={nextDeadline(incident.sla)} now={now} />
              </td>
              <td>{incident.assignee ?? <span className="muted">nobody</span>}</td>
              <td>
                <Time at={incident.createdAt} />
              </td>
            </tr>
          ))}
          {below > 0 && <tr aria-hidden="true" style={{ height: below }} />}
        </tbody>
      </table>
      </div>
    </section>
  );
}
