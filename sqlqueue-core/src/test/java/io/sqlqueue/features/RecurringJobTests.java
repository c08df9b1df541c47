package io.sqlqueue.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.sqlqueue.Job;
import io.sqlqueue.JobQuery;
import io.sqlqueue.RecurringSchedule;
import io.sqlqueue.RecurringSchedule.MissedRuns;
import io.sqlqueue.internal.store.JobStore;
import io.sqlqueue.testing.Internals;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.worker.JobWorker;

/**
 * Recurring jobs: exactly one job per tick however many schedulers race for it, missed ticks run
 * once or skipped, and cron expressions read in the schedule's time zone.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class RecurringJobTests {

	@Parameter
	TestDatabase db;

	private QueueFixture fixture;

	@AfterEach
	void stopWorkers() {
		if (this.fixture != null) {
			this.fixture.close();
		}
	}

	@Test
	void twoWorkersRacingForEveryTickEnqueueExactlyOneJobPerTick() throws Exception {
		this.fixture = QueueFixture.fresh(this.db);
		RecurringSchedule everySecond = RecurringSchedule.of("heartbeat-report", "* * * * * *", "report")
			.inZone(ZoneOffset.UTC);
		List<JobWorker> workers = List.of(
				this.fixture.start(this.fixture.worker().workerId("node-1").schedule(everySecond)),
				this.fixture.start(this.fixture.worker(this.fixture.otherNode()).workerId("node-2").schedule(everySecond)));
		// besides each worker's own ticker, three threads per worker check the schedule without pause
		ExecutorService racers = Executors.newFixedThreadPool(6);
		long until = System.nanoTime() + Duration.ofMillis(3500).toNanos();
		CountDownLatch go = new CountDownLatch(1);
		List<Future<Integer>> taken = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			JobWorker worker = workers.get(i % 2);
			taken.add(racers.submit(() -> {
				go.await();
				int mine = 0;
				while (System.nanoTime() < until) {
					if (worker.tickRecurring("heartbeat-report").isPresent()) {
						mine++;
					}
				}
				return mine;
			}));
		}
		go.countDown();
		int takenByRacers = 0;
		for (Future<Integer> future : taken) {
			takenByRacers += future.get(30, TimeUnit.SECONDS);
		}
		racers.shutdown();
		workers.forEach((worker) -> worker.stop(Duration.ofSeconds(5)));

		List<Job> jobs = this.fixture.queue().list(JobQuery.all().ofType("report").limit(1000));
		Map<String, Long> jobsPerTick = jobs.stream()
			.collect(Collectors.groupingBy((job) -> job.metadata().get("sqlqueue.tick"), Collectors.counting()));
		assertThat(jobs).hasSizeGreaterThanOrEqualTo(2);
		assertThat(jobsPerTick.values()).allMatch((count) -> count == 1);
		assertThat(takenByRacers).isLessThanOrEqualTo(jobs.size());
		assertThat(jobs).allSatisfy((job) -> {
			assertThat(job.metadata()).containsEntry("sqlqueue.recurring", "heartbeat-report");
			assertThat(Instant.parse(job.metadata().get("sqlqueue.tick")).getNano()).isZero();
		});
	}

	@Test
	void missedTicksAfterDowntimeAreEnqueuedOnceUnderRunOnce() {
		this.fixture = QueueFixture.fresh(this.db);
		RecurringSchedule everyMinute = RecurringSchedule.of("cleanup", "0 * * * * *", "cleanup").inZone(ZoneOffset.UTC);
		JobStore store = Internals.store(this.fixture.queue());
		Instant hourAgo = truncatedToMinute(store.databaseNow().minus(Duration.ofHours(1)));
		store.recurringInsert("cleanup", "0 * * * * *", "Z", hourAgo);
		JobWorker worker = this.fixture.worker().schedule(everyMinute).build();

		Optional<Long> enqueued = worker.tickRecurring("cleanup");

		assertThat(enqueued).isPresent();
		assertThat(worker.tickRecurring("cleanup")).isEmpty();
		assertThat(this.fixture.queue().list(JobQuery.all().ofType("cleanup"))).singleElement()
			.satisfies((job) -> assertThat(job.metadata()).containsEntry("sqlqueue.tick", hourAgo.toString()));
		assertThat(store.recurringGet("cleanup").orElseThrow().nextRunAt()).isAfter(store.databaseNow());
		assertThat(this.fixture.queue().recurringSchedules()).singleElement().satisfies((status) -> {
			assertThat(status.name()).isEqualTo("cleanup");
			assertThat(status.cron()).isEqualTo("0 * * * * *");
			assertThat(status.zone()).isEqualTo("Z");
			assertThat(status.nextRunAt()).isEqualTo(store.recurringGet("cleanup").orElseThrow().nextRunAt());
			assertThat(status.lastJobId()).isEqualTo(enqueued.get());
		});
	}

	@Test
	void missedTicksAfterDowntimeAreDroppedUnderSkipButATickJustDueStillRuns() {
		this.fixture = QueueFixture.fresh(this.db);
		JobStore store = Internals.store(this.fixture.queue());
		RecurringSchedule skipping = RecurringSchedule.of("digest", "0 * * * * *", "digest")
			.inZone(ZoneOffset.UTC)
			.withMissedRuns(MissedRuns.SKIP);
		store.recurringInsert("digest", "0 * * * * *", "Z",
				truncatedToMinute(store.databaseNow().minus(Duration.ofHours(1))));
		RecurringSchedule justDue = RecurringSchedule.of("fresh", "* * * * * *", "digest")
			.inZone(ZoneOffset.UTC)
			.withMissedRuns(MissedRuns.SKIP);
		store.recurringInsert("fresh", "* * * * * *", "Z",
				store.databaseNow().minus(Duration.ofSeconds(5)).truncatedTo(ChronoUnit.SECONDS));
		JobWorker worker = this.fixture.worker().schedule(skipping).schedule(justDue).build();

		assertThat(worker.tickRecurring("digest")).isEmpty();
		assertThat(store.recurringGet("digest").orElseThrow().nextRunAt()).isAfter(store.databaseNow());
		assertThat(worker.tickRecurring("fresh")).isPresent();
		assertThat(this.fixture.queue().list(JobQuery.all().ofType("digest"))).singleElement()
			.satisfies((job) -> assertThat(job.metadata()).containsEntry("sqlqueue.recurring", "fresh"));
	}

	@Test
	void cronIsReadInTheSchedulesTimeZone() {
		this.fixture = QueueFixture.fresh(this.db);
		JobStore store = Internals.store(this.fixture.queue());
		Function<String, Instant> storedNextTick = (name) -> store.recurringGet(name).orElseThrow().nextRunAt();
		JobWorker worker = this.fixture.worker()
			.schedule(RecurringSchedule.of("tokyo", "0 0 2 * * *", "report").inZone(ZoneId.of("Asia/Tokyo")))
			.schedule(RecurringSchedule.of("kolkata", "0 0 2 * * *", "report").inZone(ZoneId.of("Asia/Kolkata")))
			.build();

		worker.tickRecurring("tokyo");
		worker.tickRecurring("kolkata");

		// 02:00 in Tokyo (UTC+9) is 17:00 UTC; 02:00 in Kolkata (UTC+5:30) is 20:30 UTC
		assertThat(storedNextTick.apply("tokyo").atZone(ZoneOffset.UTC).toLocalTime()).isEqualTo(LocalTime.of(17, 0));
		assertThat(storedNextTick.apply("kolkata").atZone(ZoneOffset.UTC).toLocalTime()).isEqualTo(LocalTime.of(20, 30));
		assertThat(storedNextTick.apply("tokyo")).isAfter(store.databaseNow());

		// moving a schedule to another zone starts it again from its next tick there
		JobWorker moved = this.fixture.worker()
			.schedule(RecurringSchedule.of("tokyo", "0 0 2 * * *", "report").inZone(ZoneId.of("Asia/Kolkata")))
			.build();
		moved.tickRecurring("tokyo");
		assertThat(storedNextTick.apply("tokyo").atZone(ZoneOffset.UTC).toLocalTime()).isEqualTo(LocalTime.of(20, 30));
		assertThat(this.fixture.jobCount()).isZero();
	}

	@Test
	void anInvalidCronExpressionIsRefusedNamingIt() {
		assertThatThrownBy(() -> RecurringSchedule.of("broken", "0 0 25 * * *", "report"))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("Invalid cron expression '0 0 25 * * *'")
			.hasMessageContaining("'broken'");
	}

	private static Instant truncatedToMinute(Instant instant) {
		return instant.truncatedTo(ChronoUnit.MINUTES);
	}

}
