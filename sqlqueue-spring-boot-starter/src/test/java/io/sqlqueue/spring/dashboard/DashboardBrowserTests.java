package io.sqlqueue.spring.dashboard;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobQuery;
import io.sqlqueue.JobState;
import io.sqlqueue.WorkflowBuilder.EnqueuedWorkflow;
import io.sqlqueue.spring.dashboard.DashboardTestApplication.Greeting;
import io.sqlqueue.spring.dashboard.DashboardTestApplication.Handlers;
import io.sqlqueue.spring.dashboard.DashboardTestApplication.Hostile;
import io.sqlqueue.spring.dashboard.DashboardTestApplication.Order;

import static io.sqlqueue.WorkflowBuilder.after;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard in headless Chromium, on a running application whose jobs really run: what an operator sees and
 * does. Each test keeps to its own queue and saves a screenshot under {@code target/dashboard-screenshots}.
 */
@SpringBootTest(classes = DashboardTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:sqlqueue_dashboard;DB_CLOSE_DELAY=-1",
				"sqlqueue.dashboard.enabled=true", "sqlqueue.dashboard.allow-unsecured-actions=true",
				"sqlqueue.dashboard.refresh-interval=300ms", "sqlqueue.metrics.sample-interval=200ms",
				"sqlqueue.defaults.poll-interval=100ms" })
@DirtiesContext
class DashboardBrowserTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private static WebDriver browser;

	@LocalServerPort
	int port;

	@Autowired
	JdbcJobQueue jobs;

	@Autowired
	Handlers handlers;

	@BeforeAll
	static void startBrowser() {
		browser = BrowserSupport.start();
	}

	@AfterAll
	static void stopBrowser() {
		if (browser != null) {
			browser.quit();
		}
	}

	@Test
	void overviewCountsChangeAsJobsRun() {
		this.jobs.pauseQueue("overview");
		for (int i = 0; i < 3; i++) {
			this.jobs.enqueue("greet", new Greeting("visitor " + i));
		}
		open("#/");
		awaitCount("overview", "READY", "3");
		assertThat(text(By.cssSelector("#queues tr[data-queue='overview'] [data-paused]"))).isEqualTo("paused");
		this.jobs.resumeQueue("overview");
		awaitCount("overview", "SUCCEEDED", "3");
		awaitCount("overview", "READY", "0");
		assertThat(browser.findElement(By.id("throughput")).findElements(By.tagName("canvas"))).isNotEmpty();
		BrowserSupport.screenshot(browser, "overview");
	}

	@Test
	void deadJobIsReadReplayedAndSucceeds() {
		long id = this.jobs.enqueue("reserve-stock", new Order("sku-42"));
		await().atMost(TIMEOUT).until(() -> this.jobs.find(id).orElseThrow().state() == JobState.DEAD);
		open("#/dead");
		assertThat(text(By.cssSelector("#dead-groups tr[data-group='reserve-stock']"))).contains("no stock for sku-42");
		BrowserSupport.screenshot(browser, "dead-letter");
		By newest = By.cssSelector("#dead-groups tr[data-group='reserve-stock'] a[data-job='" + id + "']");
		WebElement link = wait((driver) -> driver.findElement(newest));
		String countedAt = text(By.id("dead-counted-at"));
		wait((driver) -> !countedAt.equals(driver.findElement(By.id("dead-counted-at")).getText()));
		assertThat(link.getText()).as("a new count of the same groups leaves the rows in place").isEqualTo("#" + id);
		click(newest);
		wait(ExpectedConditions.textToBePresentInElementLocated(By.id("job-state"), "DEAD"));
		assertThat(text(By.id("job-error"))).contains("IllegalStateException")
			.contains("no stock for sku-42");
		assertThat(text(By.id("job-payload"))).contains("\"sku\" : \"sku-42\"");
		BrowserSupport.screenshot(browser, "job-dead");
		By firstAttempt = By.cssSelector("#job-attempts tr[data-attempt='1']");
		assertThat(text(firstAttempt)).contains("dead").contains("no stock for sku-42").doesNotContain("at io.sqlqueue");
		click(By.cssSelector("#job-attempts tr[data-attempt='1'] summary"));
		assertThat(text(By.cssSelector("#job-attempts tr[data-attempt='1'] details pre"))).contains("IllegalStateException")
			.contains("at io.sqlqueue");
		((JavascriptExecutor) browser).executeScript("document.getElementById('job-attempts').scrollIntoView()");
		BrowserSupport.screenshot(browser, "job-attempts");
		this.handlers.stockArrived.set(true);
		click(By.cssSelector("#job-actions [data-action='retry']"));
		wait(ExpectedConditions.textToBePresentInElementLocated(By.id("job-state"), "SUCCEEDED"));
		assertThat(this.jobs.find(id).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
		assertThat(browser.findElements(By.cssSelector("#job-actions button"))).isEmpty();
		assertThat(browser.findElements(By.cssSelector("#job-attempts tbody tr"))).as("a success adds no attempt").hasSize(1);
		BrowserSupport.screenshot(browser, "job-succeeded");
	}

	@Test
	void deadLetterGroupsCountEveryDeadJobAndReplayOneGroup() {
		List<Long> declined = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			declined.add(this.jobs.enqueue("charge-card", new Order("declined")));
		}
		long expired = this.jobs.enqueue("charge-card", new Order("expired"));
		await().atMost(TIMEOUT).until(() -> Stream.concat(declined.stream(), Stream.of(expired))
			.allMatch((id) -> this.jobs.find(id).orElseThrow().state() == JobState.DEAD));
		open("#/dead");
		String row = "//table[@id='dead-groups']//tr[@data-group='charge-card'][contains(., 'card refused: %s')]";
		wait((driver) -> driver.findElement(By.xpath(row.formatted("declined") + "/td[4]")).getText().equals("3"));
		assertThat(text(By.xpath(row.formatted("expired") + "/td[4]"))).isEqualTo("1");
		BrowserSupport.screenshot(browser, "dead-letter-groups");
		this.handlers.cardsAccepted.set(true);
		click(By.xpath(row.formatted("declined") + "//button[@data-action='replay-group']"));
		Alert confirmation = wait(ExpectedConditions.alertIsPresent());
		assertThat(confirmation.getText()).contains("Replay 3 dead jobs of charge-card?");
		confirmation.accept();
		await().atMost(TIMEOUT).until(() -> declined.stream()
			.allMatch((id) -> this.jobs.find(id).orElseThrow().state() == JobState.SUCCEEDED));
		assertThat(this.jobs.find(expired).orElseThrow().state()).as("another group").isEqualTo(JobState.DEAD);
		wait((driver) -> driver.findElements(By.xpath(row.formatted("declined"))).isEmpty());
	}

	@Test
	void pausedQueueStartsNoJobUntilResumed() {
		long first = this.jobs.enqueue("greet-paused", new Greeting("before"));
		await().atMost(TIMEOUT).until(() -> this.jobs.find(first).orElseThrow().state() == JobState.SUCCEEDED);
		open("#/queues");
		click(By.cssSelector("tr[data-queue='pausable'] [data-action='pause']"));
		wait(ExpectedConditions.textToBePresentInElementLocated(
				By.cssSelector("tr[data-queue='pausable'] [data-paused]"), "paused"));
		assertThat(this.jobs.queueControl("pausable").paused()).isTrue();
		BrowserSupport.screenshot(browser, "queues");
		long held = this.jobs.enqueue("greet-paused", new Greeting("held"));
		// A job on another queue runs to the end: the workers polled, and still none started the paused one.
		long other = this.jobs.enqueue("greet-elsewhere", new Greeting("elsewhere"));
		await().atMost(TIMEOUT).until(() -> this.jobs.find(other).orElseThrow().state() == JobState.SUCCEEDED);
		assertThat(this.jobs.claim("pausable", 1, Duration.ofMinutes(1))).isEmpty();
		assertThat(this.jobs.find(held).orElseThrow().state()).isEqualTo(JobState.READY);
		click(By.cssSelector("tr[data-queue='pausable'] [data-action='resume']"));
		await().atMost(TIMEOUT).until(() -> this.jobs.find(held).orElseThrow().state() == JobState.SUCCEEDED);
		wait(ExpectedConditions.textToBePresentInElementLocated(
				By.cssSelector("tr[data-queue='pausable'] [data-paused]"), "running"));
	}

	@Test
	void bulkCancelOfEverythingAFilterMatchesAfterConfirmingItsCount() {
		// Types no node has a handler for: they wait READY until cancelled.
		List<Long> reports = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			reports.add(this.jobs.enqueue("bulk-report", new Greeting("report " + i), EnqueueOptions.defaults().withQueue("bulk")));
		}
		long other = this.jobs.enqueue("bulk-other", new Greeting("other"),
				EnqueueOptions.defaults().withQueue("bulk").withUniqueKey("bulk-other-1").withMetadata("tenant", "acme"));
		open("#/jobs");
		browser.findElement(By.cssSelector("#jobs-filter input[name='queue']")).sendKeys("bulk");
		new Select(browser.findElement(By.cssSelector("#jobs-filter select[name='state']"))).selectByValue("READY");
		browser.findElement(By.cssSelector("#jobs-filter input[name='type']")).sendKeys("bulk-report");
		browser.findElement(By.cssSelector("#jobs-filter button[type='submit']")).click();
		wait((driver) -> driver.findElements(By.cssSelector("#jobs tr[data-job-row]")).size() == 5);
		assertThat(text(By.cssSelector("#jobs tbody tr:first-child"))).as("newest first")
			.contains(String.valueOf(reports.get(4)));
		BrowserSupport.screenshot(browser, "jobs");
		click(By.cssSelector("[data-action='matching-cancel']"));
		Alert confirmation = wait(ExpectedConditions.alertIsPresent());
		assertThat(confirmation.getText()).contains("Cancel 5 jobs matching this filter?");
		confirmation.accept();
		wait(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "Cancel all matching done: 5 jobs"));
		for (long id : reports) {
			assertThat(this.jobs.find(id).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
		}
		assertThat(this.jobs.find(other).orElseThrow().state()).isEqualTo(JobState.READY);
		wait((driver) -> driver.findElements(By.cssSelector("#jobs tr[data-job-row]")).isEmpty());
		browser.findElement(By.id("find-job-id")).sendKeys("bulk-other-1");
		browser.findElement(By.cssSelector("#find-job button")).click();
		wait((driver) -> driver.findElements(By.cssSelector("#jobs tr[data-job-row='" + other + "']")).size() == 1);
		browser.findElement(By.id("find-job-id")).sendKeys("tenant=acme");
		browser.findElement(By.cssSelector("#find-job button")).click();
		wait((driver) -> driver.getCurrentUrl().contains("metadata=tenant"));
		wait((driver) -> driver.findElements(By.cssSelector("#jobs tr[data-job-row]")).size() == 1
				&& driver.findElements(By.cssSelector("#jobs tr[data-job-row='" + other + "']")).size() == 1);
	}

	@Test
	void aJobLinksToItsChildrenAndTheyToIt() throws Exception {
		long parent = this.jobs.enqueue("family-parent", new Greeting("parent"), EnqueueOptions.defaults().withQueue("family"));
		long child = this.jobs.enqueue("family-child", new Greeting("child"),
				EnqueueOptions.defaults().withQueue("family").withParent(parent));
		open("#/jobs/" + parent);
		click(By.cssSelector("#job-children a[data-job='" + child + "']"));
		wait(ExpectedConditions.textToBePresentInElementLocated(By.id("job-state"), "WAITING"));
		assertThat(text(By.id("job-parent"))).isEqualTo("#" + parent);
		BrowserSupport.screenshot(browser, "job-child");
		HttpResponse<String> children = HttpClient.newHttpClient()
			.send(request("/sqlqueue/api/jobs?parent=" + parent), HttpResponse.BodyHandlers.ofString());
		assertThat(children.body()).contains("\"id\":" + child).doesNotContain("\"id\":" + parent + ",");
	}

	@Test
	void aJobLinksToItsWorkflowWhoseStepsAreDrawnByLevelAndWhichIsCancelled() throws Exception {
		// 'photo-hold' has no handler: that step stays READY, the one after it WAITING; Cancel cancels both and the callback
		EnqueueOptions photos = EnqueueOptions.defaults().withQueue("photos");
		EnqueuedWorkflow flow = this.jobs.workflow("photo 7")
			.add("fetch", "photo-step", new Greeting("fetch"), photos)
			.add("resize", "photo-step", new Greeting("resize"), photos, after("fetch"))
			.add("thumbnail", "photo-hold", new Greeting("thumbnail"), photos, after("fetch"))
			.add("publish", "photo-step", new Greeting("publish"), photos, after("resize"), after("thumbnail"))
			.onComplete("photo-hold", new Greeting("report"))
			.enqueue();
		long fetch = flow.steps().get("fetch");
		await().atMost(TIMEOUT)
			.until(() -> this.jobs.find(flow.steps().get("resize")).orElseThrow().state() == JobState.SUCCEEDED);
		open("#/jobs/" + fetch);
		assertThat(text(By.id("job-group"))).contains("batch or workflow #" + flow.id()).contains("step fetch");
		click(By.cssSelector("#job-group a[data-group='" + flow.id() + "']"));
		wait(ExpectedConditions.textToBePresentInElementLocated(By.id("group-status"), "running"));
		assertThat(text(By.cssSelector("h1"))).contains("Workflow #" + flow.id() + " photo 7");
		assertThat(text(By.cssSelector("#group-counts [data-count='SUCCEEDED']"))).isEqualTo("2");
		assertThat(text(By.cssSelector("#group-counts [data-count='total']"))).isEqualTo("4");
		By step = By.cssSelector("#workflow-graph [data-step]");
		wait((driver) -> driver.findElements(step).size() == 4);
		assertThat(stepState("fetch")).isEqualTo("SUCCEEDED");
		assertThat(stepState("resize")).isEqualTo("SUCCEEDED");
		assertThat(stepState("thumbnail")).isEqualTo("READY");
		assertThat(stepState("publish")).isEqualTo("WAITING");
		assertThat(browser.findElements(By.cssSelector("#workflow-graph path[data-edge]"))).hasSize(4);
		assertThat(stepX("fetch")).isLessThan(stepX("resize"));
		assertThat(stepX("resize")).isEqualTo(stepX("thumbnail"));
		assertThat(stepX("thumbnail")).isLessThan(stepX("publish"));
		assertThat(text(By.id("group-callbacks"))).contains("onComplete").contains("WAITING");
		BrowserSupport.screenshot(browser, "workflow");

		click(By.cssSelector("#group-actions [data-action='cancel']"));
		Alert confirmation = wait(ExpectedConditions.alertIsPresent());
		assertThat(confirmation.getText()).contains("Cancel workflow #" + flow.id());
		confirmation.accept();
		wait(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "Cancel done: 3 jobs"));
		wait(ExpectedConditions.textToBePresentInElementLocated(By.id("group-status"), "cancelled"));
		wait((driver) -> "CANCELLED".equals(stepState("publish")));
		assertThat(this.jobs.workflow(flow.id()).orElseThrow().cancelled()).isTrue();
		assertThat(browser.findElements(By.cssSelector("#group-actions button"))).isEmpty();
		click(By.cssSelector("#workflow-graph [data-step='resize']"));
		wait(ExpectedConditions.textToBePresentInElementLocated(By.id("job-state"), "SUCCEEDED"));

		HttpResponse<String> missing = HttpClient.newHttpClient()
			.send(request("/sqlqueue/api/groups/999999999"), HttpResponse.BodyHandlers.ofString());
		assertThat(missing.statusCode()).isEqualTo(404);
		assertThat(missing.body()).contains("No batch or workflow has id 999999999");
	}

	private String stepState(String step) {
		return wait((driver) -> driver.findElement(By.cssSelector("#workflow-graph [data-step='" + step + "']"))
			.getDomAttribute("data-state"));
	}

	private double stepX(String step) {
		return Double.parseDouble(wait((driver) -> driver
			.findElement(By.cssSelector("#workflow-graph [data-step='" + step + "'] rect"))
			.getDomAttribute("x")));
	}

	@Test
	void recurringScheduleIsShownAndEnqueuedNow() {
		open("#/recurring");
		String row = text(By.cssSelector("#schedules tr[data-schedule='nightly-report']"));
		assertThat(row).contains("0 0 3 * * *").contains("nightly-report");
		wait((driver) -> !driver.findElement(By.cssSelector("tr[data-schedule='nightly-report'] [data-next]"))
			.getText()
			.equals("not stored yet"));
		BrowserSupport.screenshot(browser, "recurring");
		click(By.cssSelector("tr[data-schedule='nightly-report'] [data-action='enqueue']"));
		wait(ExpectedConditions.alertIsPresent()).accept();
		wait(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "Enqueue now done"));
		await().atMost(TIMEOUT)
			.until(() -> this.jobs.list(JobQuery.all().ofType("nightly-report")), (jobs) -> jobs.size() == 1
					&& "nightly-report".equals(jobs.get(0).metadata().get("sqlqueue.recurring")));
	}

	@Test
	void nodesShowThisWorkerAliveWithItsSlots() {
		open("#/nodes");
		wait((driver) -> !driver.findElements(By.cssSelector("#nodes tr[data-node]")).isEmpty());
		String node = text(By.cssSelector("#nodes tr[data-node]"));
		assertThat(node).contains("alive").contains("overview: ").contains("free").contains("greet");
		BrowserSupport.screenshot(browser, "nodes");
	}

	@Test
	void markupFromTheDatabaseStaysText() {
		String image = "<img src=x onerror=\"window.__sqlqueueXss=1\">";
		String script = "</script><script>window.__sqlqueueXss=2</script>";
		long id = this.jobs.enqueue("hostile", new Hostile(image + script));
		await().atMost(TIMEOUT).until(() -> this.jobs.find(id).orElseThrow().state() == JobState.DEAD);
		open("#/dead");
		assertThat(text(By.cssSelector("#dead-groups tr[data-group='hostile']"))).contains(image);
		open("#/jobs/" + id);
		wait(ExpectedConditions.textToBePresentInElementLocated(By.id("job-state"), "DEAD"));
		assertThat(text(By.id("job-payload"))).contains("onerror").contains("</script>");
		assertThat(text(By.id("job-error"))).contains(image).contains(script);
		assertThat(text(By.cssSelector("#job-attempts tr[data-attempt='1']"))).contains(image).contains(script);
		assertThat(browser.findElements(By.cssSelector("#page img"))).isEmpty();
		assertThat(browser.findElements(By.cssSelector("#page script"))).isEmpty();
		assertThat(((JavascriptExecutor) browser).executeScript("return window.__sqlqueueXss === undefined"))
			.isEqualTo(true);
		BrowserSupport.screenshot(browser, "job-hostile");
	}

	@Test
	void servesItsPagesFromTheJarWithAStrictContentSecurityPolicy() throws Exception {
		HttpClient http = HttpClient.newHttpClient();
		HttpResponse<String> bare = http.send(request("/sqlqueue"), HttpResponse.BodyHandlers.ofString());
		assertThat(bare.statusCode()).isEqualTo(302);
		assertThat(bare.headers().firstValue("Location")).hasValueSatisfying((to) -> assertThat(to).endsWith("/sqlqueue/"));
		HttpResponse<String> index = http.send(request("/sqlqueue/"), HttpResponse.BodyHandlers.ofString());
		assertThat(index.statusCode()).isEqualTo(200);
		assertThat(index.body()).contains("<script src=\"assets/app.js\"").doesNotContain("<style").doesNotContain("style=");
		assertThat(index.headers().firstValue("Content-Security-Policy")).hasValue(DashboardHeadersFilter.CONTENT_SECURITY_POLICY);
		assertThat(DashboardHeadersFilter.CONTENT_SECURITY_POLICY).contains("script-src 'self'")
			.doesNotContain("unsafe-inline")
			.doesNotContain("unsafe-eval");
		assertThat(http.send(request("/sqlqueue/vendor/uplot/uPlot.iife.min.js"), HttpResponse.BodyHandlers.ofString())
			.statusCode()).isEqualTo(200);
		HttpResponse<String> api = http.send(request("/sqlqueue/api/overview"), HttpResponse.BodyHandlers.ofString());
		assertThat(api.headers().firstValue("Cache-Control")).hasValue("no-store");
		assertThat(api.headers().firstValue("Content-Security-Policy")).isPresent();
		HttpResponse<String> get = http.send(request("/sqlqueue/api/queues/pausable/pause"),
				HttpResponse.BodyHandlers.ofString());
		assertThat(get.statusCode()).as("actions are POSTs only").isEqualTo(405);
	}

	private HttpRequest request(String path) {
		return HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path)).build();
	}

	private void open(String fragment) {
		// From another page: a new fragment alone would not load the page again.
		browser.get("about:blank");
		browser.get("http://localhost:" + this.port + "/sqlqueue/" + fragment);
		wait((driver) -> driver.findElement(By.tagName("body")).getDomAttribute("data-loaded") != null);
	}

	private void awaitCount(String queue, String state, String count) {
		By cell = By.cssSelector("#queues tr[data-queue='" + queue + "'] td[data-count='" + state + "']");
		wait((driver) -> count.equals(driver.findElement(cell).getText()));
	}

	/** The text of the element, read again when a refresh replaced it meanwhile. */
	private String text(By locator) {
		return wait((driver) -> driver.findElement(locator).getText());
	}

	/** Clicks the element once it is there, again when a refresh replaced it just before the click. */
	private void click(By locator) {
		wait((driver) -> {
			driver.findElement(locator).click();
			return true;
		});
	}

	private <T> T wait(Function<WebDriver, T> condition) {
		try {
			return new WebDriverWait(browser, TIMEOUT).ignoring(StaleElementReferenceException.class)
				.ignoring(NoSuchElementException.class)
				.until(condition::apply);
		}
		catch (TimeoutException ex) {
			throw new TimeoutException("The page did not come to it; it shows " + BrowserSupport.screenshot(browser,
					"failed-" + System.currentTimeMillis()) + ": " + browser.findElement(By.id("page")).getText(), ex);
		}
	}

}
