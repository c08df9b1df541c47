package io.sqlqueue.internal.execution;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sqlqueue.internal.store.JobRef;
import io.sqlqueue.internal.store.LeaseStatus;

/**
 * Keeps the leases of one queue's runs on this node: at each heartbeat tick it extends, in one statement,
 * the leases of runs whose handler asked for it and of runs waiting for a handler thread or for their outcome
 * to be written, and marks the rest lost once their lease has passed, interrupting their handler.
 */
final class LeaseKeeper {

	private static final Logger logger = LoggerFactory.getLogger(LeaseKeeper.class);

	private final QueueRunner queue;

	LeaseKeeper(QueueRunner queue) {
		this.queue = queue;
	}

	/** The heartbeat tick. */
	void tick() {
		List<RunningJob> renew = new ArrayList<>();
		for (RunningJob run : this.queue.running().values()) {
			if (run.heartbeatRequested || run.thread == null) {
				run.heartbeatRequested = false;
				renew.add(run);
			}
			else if (!run.leaseLost && run.millisSinceRenewal() > run.leaseMillis) {
				run.leaseLost = true;
				Thread thread = run.thread;
				logger.warn("sqlqueue {} ran past its lease of {} ms without a heartbeat: interrupting it; the job will"
						+ " be retried", run, run.leaseMillis);
				if (thread != null) {
					thread.interrupt();
				}
			}
		}
		if (!renew.isEmpty()) {
			extend(renew, this.queue.settings().lease());
		}
	}

	/** Extends one run's lease now. @return whether it is still owned */
	boolean extendNow(RunningJob run, Duration lease) {
		extend(List.of(run), lease);
		return !run.leaseLost;
	}

	private void extend(List<RunningJob> runs, Duration lease) {
		WorkerNode node = this.queue.node();
		long now = this.queue.clock().millis();
		List<LeaseStatus> owned;
		try {
			owned = node.retry()
				.call(() -> node.store().jobExtendLeaseIfRunningMany(runs.stream().map((r) -> r.ref).toList(), lease));
			node.health().success();
		}
		catch (RuntimeException ex) {
			node.health().failure(ex);
			logger.warn("sqlqueue could not extend the leases of {} runs: {}", runs.size(), ex.getMessage());
			return;
		}
		Map<JobRef, Boolean> byRun = new HashMap<>();
		for (LeaseStatus status : owned) {
			byRun.put(status.ref(), status.cancelRequested());
		}
		for (RunningJob run : runs) {
			Boolean cancel = byRun.get(run.ref);
			if (cancel == null) {
				if (this.queue.running().containsKey(run.ref)) {
					run.leaseLost = true;
				}
			}
			else {
				run.leaseRenewedAt = now;
				run.leaseMillis = lease.toMillis();
				run.cancelRequested = cancel;
			}
		}
	}

}
