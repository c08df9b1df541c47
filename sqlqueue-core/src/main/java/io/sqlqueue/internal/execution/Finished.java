package io.sqlqueue.internal.execution;

import java.time.Duration;
import java.util.List;

import io.sqlqueue.JobEventListener.Outcome;
import io.sqlqueue.JobRequest;
import io.sqlqueue.internal.store.StateChange;

/**
 * A run that ended, waiting for the completer to write its outcome.
 *
 * @param run the run
 * @param change what to write
 * @param outcome what listeners are told once it is written, or {@code null} for a run given back unfinished
 * @param error the failure, or {@code null}
 * @param execution how long the handler ran
 * @param followUps jobs to enqueue in the transaction that records the success
 * @param endedAt when the run ended (the worker's clock, epoch milliseconds)
 */
record Finished(RunningJob run, StateChange change, Outcome outcome, Throwable error, Duration execution,
		List<JobRequest> followUps, long endedAt) {

	/** The same run, dead-lettered with {@code error} instead. */
	Finished deadInstead(Throwable error, String reason) {
		StateChange.Failure failure = new StateChange.Failure(this.run.job.lockedBy(), reason, JobExecutor.stackTrace(error));
		return new Finished(this.run, StateChange.dead(this.run.ref, reason, this.change.logs()).withFailure(failure),
				Outcome.DEAD, error, this.execution, List.of(), this.endedAt);
	}

}
