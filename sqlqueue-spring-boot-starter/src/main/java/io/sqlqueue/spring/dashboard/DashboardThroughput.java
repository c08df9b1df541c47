package io.sqlqueue.spring.dashboard;

import java.time.Duration;
import java.time.Instant;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.OutcomeCounts;

/**
 * Outcomes per minute over the last hour across the whole cluster, for the dashboard's chart. The statistics sampler
 * ({@code sqlqueue.metrics.sample-interval}) calls {@link #count()}, which counts in the database what was recorded
 * since its previous call: jobs whose {@code finished_at} falls in the span (SUCCEEDED and DEAD, through the finished
 * index) and the attempt history's retried attempts. Each span is counted once, so a page view costs nothing and no
 * node keeps a counter that others would have to add up.
 */
public class DashboardThroughput {

	static final int MINUTES = 60;

	/**
	 * How far behind the database clock the counting stays: an outcome records the time its statement started and is
	 * seen once its transaction commits, a moment later.
	 */
	static final Duration SETTLE = Duration.ofSeconds(5);

	private static final Log logger = LogFactory.getLog(DashboardThroughput.class);

	private static final long MINUTE = 60_000;

	private final JdbcJobQueue jobs;

	/** Per bucket: the minute it holds (epoch minutes), then succeeded, retried and dead. */
	private final long[][] buckets = new long[MINUTES][4];

	/** The end of what was counted so far (database clock, epoch milliseconds); 0 before the first count. */
	private long countedUntil;

	/** Throughput of the cluster that {@code jobs} is a node of. */
	public DashboardThroughput(JdbcJobQueue jobs) {
		this.jobs = jobs;
	}

	/**
	 * Counts what every node recorded since the previous call, up to {@link #SETTLE} ago: a count per minute touched,
	 * one or two in steady state, up to an hour's worth on the first call.
	 */
	public synchronized void count() {
		try {
			long until = this.jobs.databaseTime().minus(SETTLE).toEpochMilli();
			long from = Math.max(this.countedUntil, (until / MINUTE - (MINUTES - 1)) * MINUTE);
			while (from < until) {
				long minute = from / MINUTE;
				long end = Math.min(until, (minute + 1) * MINUTE);
				OutcomeCounts counts = this.jobs.outcomeCounts(Instant.ofEpochMilli(from), Instant.ofEpochMilli(end));
				long[] bucket = this.buckets[(int) (minute % MINUTES)];
				if (bucket[0] != minute) {
					bucket[0] = minute;
					bucket[1] = 0;
					bucket[2] = 0;
					bucket[3] = 0;
				}
				bucket[1] += counts.succeeded();
				bucket[2] += counts.retried();
				bucket[3] += counts.dead();
				from = end;
				this.countedUntil = end;
			}
		}
		catch (RuntimeException ex) {
			logger.debug("sqlqueue dashboard throughput could not be counted: " + ex.getMessage());
		}
	}

	/** The hour up to the last minute counted, oldest minute first; empty before the first count. */
	public synchronized Series lastHour() {
		long now = (this.countedUntil > 0) ? (this.countedUntil - 1) / MINUTE : 0;
		long[] minutes = new long[MINUTES];
		long[][] counts = new long[3][MINUTES];
		for (int i = 0; i < MINUTES; i++) {
			long minute = now - (MINUTES - 1) + i;
			minutes[i] = minute * 60;
			long[] bucket = this.buckets[(int) Math.floorMod(minute, (long) MINUTES)];
			if (this.countedUntil > 0 && bucket[0] == minute) {
				for (int kind = 0; kind < 3; kind++) {
					counts[kind][i] = bucket[kind + 1];
				}
			}
		}
		return new Series(minutes, counts[0], counts[1], counts[2]);
	}

	/**
	 * Outcomes per minute.
	 *
	 * @param minutes each minute's start, epoch seconds
	 * @param succeeded jobs that finished SUCCEEDED in that minute (and are still kept)
	 * @param retried attempts that failed and were retried
	 * @param dead jobs that went to the dead letter
	 */
	public record Series(long[] minutes, long[] succeeded, long[] retried, long[] dead) {
	}

}
