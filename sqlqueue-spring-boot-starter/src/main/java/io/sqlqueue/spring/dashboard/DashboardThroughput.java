package io.sqlqueue.spring.dashboard;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;

import io.sqlqueue.Job;
import io.sqlqueue.JobEventListener;

/**
 * Outcomes recorded by this node per minute over the last hour, for the dashboard's chart: a ring of one-minute
 * buckets in memory, so the chart costs the database nothing.
 */
public class DashboardThroughput implements JobEventListener {

	static final int MINUTES = 60;

	private static final int KINDS = 3;

	private final Clock clock;

	/** Per bucket: the minute it holds (epoch minutes), then succeeded, retried and dead. */
	private final AtomicLongArray buckets = new AtomicLongArray(MINUTES * (KINDS + 1));

	/** Throughput counted on {@code clock}'s minutes. */
	public DashboardThroughput(Clock clock) {
		this.clock = clock;
	}

	@Override
	public void jobFinished(Job job, Outcome outcome, Duration execution, Throwable error) {
		int kind = switch (outcome) {
			case SUCCEEDED -> 0;
			case RETRIED -> 1;
			case DEAD -> 2;
			default -> -1;
		};
		if (kind < 0) {
			return;
		}
		long minute = this.clock.millis() / 60_000;
		int base = (int) (minute % MINUTES) * (KINDS + 1);
		long held = this.buckets.get(base);
		if (held != minute) {
			synchronized (this) {
				if (this.buckets.get(base) != minute) {
					for (int i = 1; i <= KINDS; i++) {
						this.buckets.set(base + i, 0);
					}
					this.buckets.set(base, minute);
				}
			}
		}
		this.buckets.incrementAndGet(base + 1 + kind);
	}

	/** The last hour, oldest minute first, the current minute last. */
	public Series lastHour() {
		long now = this.clock.millis() / 60_000;
		long[] minutes = new long[MINUTES];
		long[][] counts = new long[KINDS][MINUTES];
		for (int i = 0; i < MINUTES; i++) {
			long minute = now - (MINUTES - 1) + i;
			minutes[i] = minute * 60;
			int base = (int) (minute % MINUTES) * (KINDS + 1);
			if (this.buckets.get(base) == minute) {
				for (int kind = 0; kind < KINDS; kind++) {
					counts[kind][i] = this.buckets.get(base + 1 + kind);
				}
			}
		}
		return new Series(minutes, counts[0], counts[1], counts[2]);
	}

	/**
	 * Outcomes per minute.
	 *
	 * @param minutes each minute's start, epoch seconds
	 * @param succeeded runs that succeeded in that minute
	 * @param retried runs that failed and were retried
	 * @param dead runs that sent their job to the dead letter
	 */
	public record Series(long[] minutes, long[] succeeded, long[] retried, long[] dead) {
	}

}
