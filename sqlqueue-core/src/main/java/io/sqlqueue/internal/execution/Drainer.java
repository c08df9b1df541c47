package io.sqlqueue.internal.execution;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.sqlqueue.Job;
import io.sqlqueue.internal.schedule.RecurringScheduler;
import io.sqlqueue.internal.store.JobStore;
import io.sqlqueue.worker.JobRun;

/**
 * Runs the due jobs of a node that is not started on the calling thread, through the same claim, executor and
 * completer statement as its threads would: one claim of one job at a time, round after round over the queues,
 * until a round runs nothing. Due recurring ticks are enqueued at the start of each round.
 */
final class Drainer {

	private final RecurringScheduler recurring;

	private final Collection<QueueRunner> runners;

	private final JobStore store;

	private final boolean handlesTypes;

	Drainer(RecurringScheduler recurring, Collection<QueueRunner> runners, JobStore store, boolean handlesTypes) {
		this.recurring = recurring;
		this.runners = runners;
		this.store = store;
		this.handlesTypes = handlesTypes;
	}

	/**
	 * Runs due jobs until none is due; jobs that runs make due (a retry without backoff, follow-up jobs) run too.
	 * @param maxRuns the most runs before it gives up, so that a job that keeps itself due cannot run forever
	 * @throws IllegalStateException after {@code maxRuns} runs with jobs still due
	 */
	List<JobRun> drain(int maxRuns) {
		List<JobRun> runs = new ArrayList<>();
		while (true) {
			this.recurring.tick();
			if (!this.handlesTypes) {
				return runs;
			}
			boolean ran = false;
			for (QueueRunner runner : this.runners) {
				if (runner.settings().fifo()) {
					this.store.queueLockEnsure(runner.name());
				}
				if (runs.size() >= maxRuns) {
					JobRun last = runs.get(runs.size() - 1);
					throw new IllegalStateException("drain() gave up after " + maxRuns + " runs: jobs keep becoming due"
							+ " (one that snoozes or retries without delay?); the last run was job " + last.id() + " ("
							+ last.type() + ")");
				}
				for (Job job : runner.producer().claimNow(1)) {
					Finished finished = runner.executor().runHere(job);
					runs.add(new JobRun(job, finished.outcome(), finished.run().applied, finished.error(),
							finished.execution()));
					ran = true;
				}
			}
			if (!ran) {
				return runs;
			}
		}
	}

}
