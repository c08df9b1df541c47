package io.sqlqueue.internal.store;

import static io.sqlqueue.internal.store.StoreSql.READY;
import static io.sqlqueue.internal.store.StoreSql.RUNNING;

import java.util.ArrayList;
import java.util.List;

import io.sqlqueue.Job;
import io.sqlqueue.QueueControl;
import io.sqlqueue.QueueLimits;
import io.sqlqueue.RateLimit;

/**
 * The claims of a queue with limits: under its row's lock, so that the claims of every node take turns, the
 * claim counts what the limits allow (RUNNING jobs for a global concurrency, starts in the window for a rate
 * limit, RUNNING jobs and starts per key for per-key limits) and takes no more. With per-key limits the keys
 * take turns: the first due job of every key comes before the second of any, so that one key's backlog does
 * not starve the others.
 */
final class LimitedClaims {

	/** No limit, for a cap the queue does not set. */
	private static final int NO_CAP = Integer.MAX_VALUE / 2;

	private final StoreSql sql;

	private final JobClaims claims;

	private final QueueControls controls;

	LimitedClaims(StoreSql sql, JobClaims claims, QueueControls controls) {
		this.sql = sql;
		this.claims = claims;
		this.controls = controls;
	}

	LimitedClaim claim(ClaimParams p, int handlers) {
		return this.sql.inTransaction(() -> {
			if (!this.controls.lock(p.queue())) {
				// no row, so no limits and not paused: claimed as any queue
				return new LimitedClaim(this.claims.claim(p), null, 0);
			}
			QueueControl control = this.controls.get(p.queue()).orElse(QueueControl.running(p.queue()));
			if (control.paused()) {
				return new LimitedClaim(List.of(), null, 0);
			}
			QueueLimits limits = control.limits();
			int allowed = p.limit();
			String limitedBy = null;
			if (limits.globalConcurrency() != null) {
				int free = freeGlobalSlots(p, limits.globalConcurrency(), handlers);
				if (free < allowed) {
					allowed = Math.max(0, free);
					limitedBy = "global";
				}
			}
			RateLimit rate = limits.rateLimit();
			if (rate != null && !rate.perKey()) {
				int free = rate.starts() - started(p.queue(), rate);
				if (free < allowed) {
					allowed = Math.max(0, free);
					limitedBy = "rate";
				}
			}
			if (allowed == 0) {
				return new LimitedClaim(List.of(), limitedBy, p.limit());
			}
			ClaimParams capped = new ClaimParams(p.queue(), allowed, p.lease(), p.workerId(), p.types());
			boolean perKey = limits.keyConcurrency() != null || (rate != null && rate.perKey());
			List<Job> jobs = perKey ? this.claims.claimIds(keyedCandidates(capped, limits), capped) : this.claims.claim(capped);
			if (perKey && jobs.size() < allowed && limitedBy == null) {
				limitedBy = "key";
			}
			if (rate != null) {
				recordStarts(p.queue(), jobs);
			}
			return new LimitedClaim(jobs, limitedBy, (limitedBy != null) ? p.limit() - jobs.size() : 0);
		});
	}

	/**
	 * How many jobs the claim may take under a global concurrency of {@code cap}. A claimed job is RUNNING from
	 * its claim, so counting RUNNING jobs keeps the jobs running across the cluster within the cap, but leaves no
	 * room to claim ahead: fast jobs would wait for a claim each. So a node that is alone (no other node has a
	 * RUNNING job of the queue) and whose handlers cannot exceed the cap claims as an unlimited queue does: its
	 * handlers keep it within the cap, and every other node sees its claimed jobs and waits until fewer than the
	 * cap are left. Otherwise the RUNNING jobs of all nodes stay within the cap. Either way, at any moment the
	 * jobs running on all nodes together are at most the cap: a node's running jobs only decrease between its
	 * claims, and each claim counts those of every other node.
	 */
	private int freeGlobalSlots(ClaimParams p, int cap, int handlers) {
		int[] running = this.sql.jdbc.queryForObject("SELECT COUNT(*), SUM(CASE WHEN locked_by = ? THEN 1 ELSE 0 END)"
				+ " FROM " + this.sql.table + " WHERE queue = ? AND state = " + RUNNING,
				(rs, n) -> new int[] { rs.getInt(1), rs.getInt(2) }, p.workerId(), p.queue());
		int all = running[0];
		int others = all - running[1];
		if (others == 0 && handlers <= cap) {
			return p.limit();
		}
		return cap - all;
	}

	private int started(String queue, RateLimit rate) {
		Integer started = this.sql.jdbc.queryForObject("SELECT COUNT(*) FROM " + this.sql.tableNamed("rate_start")
				+ " WHERE queue = ? AND started_at > " + this.sql.nowPlusParam(), Integer.class, queue,
				-rate.period().toMillis());
		return (started != null) ? started : 0;
	}

	/**
	 * The due jobs to claim under per-key limits: ranked within their key, no key past its cap of running jobs
	 * (and of starts in the window, with a per-key rate), the first of every key first. Jobs without a key are not
	 * held to the caps.
	 */
	private List<Long> keyedCandidates(ClaimParams p, QueueLimits limits) {
		String t = this.sql.table;
		RateLimit rate = limits.rateLimit();
		boolean rateByKey = rate != null && rate.perKey();
		String select = "SELECT c.id FROM (SELECT j.id, j.priority, j.run_at, j.concurrency_key, ROW_NUMBER() OVER"
				+ " (PARTITION BY j.concurrency_key ORDER BY j.priority DESC, j.run_at, j.id) AS rn,"
				+ " COALESCE(r.running, 0) AS running, COALESCE(w.started, 0) AS started FROM " + t + " j"
				+ " LEFT JOIN (SELECT concurrency_key, COUNT(*) AS running FROM " + t + " WHERE queue = ? AND state = "
				+ RUNNING + " AND concurrency_key IS NOT NULL GROUP BY concurrency_key) r ON r.concurrency_key = j.concurrency_key"
				+ " LEFT JOIN (SELECT concurrency_key, COUNT(*) AS started FROM " + this.sql.tableNamed("rate_start")
				+ " WHERE queue = ? AND started_at > " + this.sql.nowPlusParam() + " AND concurrency_key IS NOT NULL"
				+ " GROUP BY concurrency_key) w ON w.concurrency_key = j.concurrency_key"
				+ " WHERE j.queue = ? AND j.state = " + READY + " AND j.run_at <= " + this.sql.now()
				+ this.claims.typeFilter(p).replace(" type ", " j.type ") + ") c"
				+ " WHERE c.concurrency_key IS NULL OR (c.rn <= ? - c.running AND c.rn <= ? - c.started)"
				+ " ORDER BY c.rn, c.priority DESC, c.run_at, c.id LIMIT ?";
		List<Object> args = new ArrayList<>();
		args.add(p.queue());
		args.add(p.queue());
		// with no rate per key, a window that ends now holds no start
		args.add(rateByKey ? -rate.period().toMillis() : 0L);
		args.add(p.queue());
		args.addAll(this.claims.typeArgs(p));
		args.add((limits.keyConcurrency() != null) ? limits.keyConcurrency() : NO_CAP);
		args.add(rateByKey ? rate.starts() : NO_CAP);
		args.add(p.limit());
		return this.sql.jdbc.queryForList(select, Long.class, args.toArray());
	}

	private void recordStarts(String queue, List<Job> jobs) {
		if (jobs.isEmpty()) {
			return;
		}
		this.sql.jdbc.batchUpdate("INSERT INTO " + this.sql.tableNamed("rate_start") + " (queue, concurrency_key,"
				+ " started_at) VALUES (?, ?, " + this.sql.now() + ")", jobs, jobs.size(), (ps, job) -> {
					ps.setString(1, queue);
					ps.setString(2, job.concurrencyKey());
				});
	}

}
