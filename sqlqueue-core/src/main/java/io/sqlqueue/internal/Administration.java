package io.sqlqueue.internal;

import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.sqlqueue.JobQueue;
import io.sqlqueue.JobState;
import io.sqlqueue.internal.store.JobStore;

/** What {@code JdbcJobQueue}'s counting and purging add to the store's statements: every state, and batches. */
public final class Administration {

	/** Finished jobs deleted per statement by a purge. */
	private static final int PURGE_BATCH = 1000;

	private Administration() {
	}

	/** Jobs per queue and state, every state listed for every queue that has jobs, 0 where it has none. */
	public static Map<String, Map<JobState, Long>> countByQueueAndState(JobStore store) {
		Map<String, Map<JobState, Long>> counts = new LinkedHashMap<>();
		store.jobCountByQueueAndState().forEach((queue, byState) -> {
			Map<JobState, Long> all = new EnumMap<>(JobState.class);
			for (JobState state : JobState.values()) {
				all.put(state, byState.getOrDefault(state, 0L));
			}
			counts.put(queue, all);
		});
		return counts;
	}

	/** Deletes the jobs finished in {@code state} longer than {@code olderThan} ago, in batches; how many. */
	public static int purge(JobStore store, JobState state, Duration olderThan) {
		Objects.requireNonNull(state, "state must not be null");
		Objects.requireNonNull(olderThan, "olderThan must not be null");
		if (!state.isFinished()) {
			throw new IllegalArgumentException("Only finished jobs (SUCCEEDED, DEAD, CANCELLED) can be purged, not "
					+ state);
		}
		if (olderThan.isNegative()) {
			throw new IllegalArgumentException("olderThan must not be negative, was " + olderThan);
		}
		int total = 0;
		int deleted;
		do {
			deleted = store.jobDeleteFinished(state, olderThan, PURGE_BATCH);
			total += deleted;
		}
		while (deleted == PURGE_BATCH);
		return total;
	}

	/** Replays dead job {@code id}, waking the workers of its queue once committed; whether it was replayed. */
	public static boolean retryDead(JobStore store, Enqueuer enqueuer, long id) {
		boolean replayed = store.jobRetryDead(id);
		if (replayed) {
			store.jobGet(id).ifPresent((job) -> enqueuer.wakeWhenCommitted(Set.of(job.queue())));
		}
		return replayed;
	}

	/** Replays the dead jobs of {@code queue}, waking its workers once committed; how many. */
	public static int retryDeadInQueue(JobStore store, Enqueuer enqueuer, String queue) {
		int replayed = store.jobRetryDeadInQueue(JobQueue.validateQueueName(queue));
		if (replayed > 0) {
			enqueuer.wakeWhenCommitted(Set.of(queue));
		}
		return replayed;
	}

	/** Kills job {@code id} with {@code reason}, which must say something; whether it was killed. */
	public static boolean kill(JobStore store, long id, String reason) {
		if (reason == null || reason.isBlank()) {
			throw new IllegalArgumentException("A reason is required to kill job " + id);
		}
		return store.jobKill(id, "Killed: " + reason);
	}

	/** Moves the due times of waiting jobs {@code by} earlier; how many. */
	public static int moveDueTimesBack(JobStore store, Duration by) {
		if (by == null || by.isNegative()) {
			throw new IllegalArgumentException("by must not be null or negative, was " + by);
		}
		return store.jobMoveDueTimesBack(by);
	}

}
