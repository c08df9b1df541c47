package io.sqlqueue.dashboard.security;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Function;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.sqlqueue.JobQueue;
import io.sqlqueue.JobState;
import io.sqlqueue.dashboard.security.SecuredApplication.Handlers;
import io.sqlqueue.dashboard.security.SecuredApplication.Invoice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard behind the application's Spring Security: anonymous users are refused, support staff read without
 * any action offered or accepted, operators act with the CSRF token, and each action is logged with the user.
 */
@SpringBootTest(classes = SecuredApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:sqlqueue_secured;DB_CLOSE_DELAY=-1",
				"sqlqueue.dashboard.enabled=true", "sqlqueue.dashboard.refresh-interval=300ms",
				"sqlqueue.metrics.sample-interval=200ms", "sqlqueue.defaults.poll-interval=100ms" })
@ExtendWith(OutputCaptureExtension.class)
class SecuredDashboardTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private static WebDriver browser;

	@LocalServerPort
	int port;

	@Autowired
	JobQueue jobs;

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

	@BeforeEach
	void loggedOut() {
		browser.get(url("/login"));
		browser.manage().deleteAllCookies();
	}

	@Test
	void anonymousUsersAreRefused() throws Exception {
		HttpResponse<String> api = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(url("/sqlqueue/api/overview"))).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(api.statusCode()).isIn(302, 401);
		assertThat(api.body()).doesNotContain("queues");
		HttpResponse<String> action = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(url("/sqlqueue/api/queues/printing/pause")))
				.POST(HttpRequest.BodyPublishers.ofString("{}"))
				.header("Content-Type", "application/json")
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(action.statusCode()).isIn(302, 401, 403);
		assertThat(this.jobs.queueControl("printing").paused()).isFalse();
		browser.get(url("/sqlqueue/"));
		assertThat(browser.getCurrentUrl()).endsWith("/login");
		BrowserSupport.screenshot(browser, "secured-anonymous");
	}

	@Test
	void aUserTheChainRefusesSeesNothing() {
		logIn("eve", "eve-secret");
		browser.get(url("/sqlqueue/api/overview"));
		assertThat(browser.getPageSource()).doesNotContain("\"queues\"");
	}

	@Test
	void aReadOnlyUserSeesTheDeadJobButNoAction() {
		long id = deadInvoice("INV-7");
		logIn("sam", "support-secret");
		open("#/jobs/" + id);
		wait(ExpectedConditions.textToBePresentInElementLocated(By.id("job-state"), "DEAD"));
		assertThat(browser.findElement(By.id("job-error")).getText()).contains("printer jammed on INV-7");
		assertThat(browser.findElements(By.cssSelector("#job-actions button"))).isEmpty();
		assertThat(browser.findElement(By.id("user")).getText()).isEqualTo("sam · read only");
		BrowserSupport.screenshot(browser, "secured-read-only");
		open("#/queues");
		wait((driver) -> !driver.findElements(By.cssSelector("#queue-controls tr[data-queue='printing']")).isEmpty());
		assertThat(browser.findElements(By.cssSelector("[data-action]"))).isEmpty();
		open("#/dead");
		wait((driver) -> !driver.findElements(By.cssSelector("#dead-groups tr[data-group]")).isEmpty());
		assertThat(browser.findElements(By.cssSelector("[data-action]"))).isEmpty();
		// Asked anyway, with the CSRF token, the server refuses.
		assertThat(postFromThePage("jobs/" + id + "/retry", true)).isEqualTo(403L);
		assertThat(this.jobs.find(id).orElseThrow().state()).isEqualTo(JobState.DEAD);
	}

	@Test
	void anOperatorReplaysWithTheCsrfTokenAndIsLogged(CapturedOutput output) {
		long id = deadInvoice("INV-8");
		logIn("olga", "ops-secret");
		open("#/jobs/" + id);
		wait(ExpectedConditions.textToBePresentInElementLocated(By.id("job-state"), "DEAD"));
		assertThat(postFromThePage("jobs/" + id + "/retry", false)).as("without the CSRF token").isEqualTo(403L);
		this.handlers.printerFixed.set(true);
		click(By.cssSelector("#job-actions [data-action='retry']"));
		wait(ExpectedConditions.textToBePresentInElementLocated(By.id("job-state"), "SUCCEEDED"));
		assertThat(this.jobs.find(id).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
		assertThat(output).contains("sqlqueue dashboard: user 'olga' retry").contains("[" + id + "]");
		BrowserSupport.screenshot(browser, "secured-operator");
		this.handlers.printerFixed.set(false);
	}

	private long deadInvoice(String number) {
		long id = this.jobs.enqueue("print-invoice", new Invoice(number));
		await().atMost(TIMEOUT).until(() -> this.jobs.find(id).orElseThrow().state() == JobState.DEAD);
		return id;
	}

	/** POSTs from the page's own origin and session, with or without the token the page was given. */
	private Long postFromThePage(String path, boolean withToken) {
		Object status = ((JavascriptExecutor) browser).executeAsyncScript("""
				const done = arguments[arguments.length - 1];
				fetch('api/session').then((r) => r.json()).then((session) => {
					const headers = { 'Content-Type': 'application/json' };
					if (arguments[1]) { headers[session.csrfHeader] = session.csrfToken; }
					return fetch('api/' + arguments[0], { method: 'POST', headers, body: '{}' });
				}).then((r) => done(r.status), (e) => done(-1));
				""", path, withToken);
		return (Long) status;
	}

	private void logIn(String user, String password) {
		browser.get(url("/login"));
		browser.findElement(By.name("username")).sendKeys(user);
		browser.findElement(By.name("password")).sendKeys(password);
		browser.findElement(By.cssSelector("button[type='submit']")).click();
		wait((driver) -> !driver.getCurrentUrl().endsWith("/login"));
	}

	private void open(String fragment) {
		// From another page: a new fragment alone would not load the page again.
		browser.get("about:blank");
		browser.get(url("/sqlqueue/" + fragment));
		wait((driver) -> driver.findElement(By.tagName("body")).getDomAttribute("data-loaded") != null);
	}

	private void click(By locator) {
		wait((driver) -> {
			driver.findElement(locator).click();
			return true;
		});
	}

	private <T> T wait(Function<WebDriver, T> condition) {
		return new WebDriverWait(browser, TIMEOUT).ignoring(StaleElementReferenceException.class)
			.ignoring(NoSuchElementException.class)
			.until(condition::apply);
	}

	private String url(String path) {
		return "http://localhost:" + this.port + path;
	}

}
