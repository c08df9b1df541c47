package io.sqlqueue.spring.dashboard;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Headless Chromium from the system's packages ({@code chromium}, {@code chromium-driver}), with the driver's path
 * given: nothing is downloaded at run time. Missing packages skip the browser tests locally and fail them on CI.
 */
final class BrowserSupport {

	static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

	static final String CHROMIUM = "/usr/bin/chromium";

	static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");

	private BrowserSupport() {
	}

	static WebDriver start() {
		boolean installed = CHROMEDRIVER.canExecute() && new File(CHROMIUM).canExecute();
		if (Boolean.parseBoolean(System.getenv("CI"))) {
			assertThat(installed).as("CI=true and no %s or %s: install chromium and chromium-driver", CHROMEDRIVER,
					CHROMIUM).isTrue();
		}
		Assumptions.assumeTrue(installed, "chromium and chromium-driver are not installed");
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM);
		options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
				"--window-size=1400,1000", "--lang=en-US");
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
			.usingAnyFreePort()
			.build();
		ChromeDriver driver = new ChromeDriver(service, options);
		driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
		return driver;
	}

	/**
	 * Where the documentation's screenshots are, written when the tests run with
	 * {@code -Dsqlqueue.docs.screenshots=true}.
	 */
	static final Path DOCS_IMAGES = Path.of("..", "docs", "images");

	/**
	 * Saves what the browser shows as {@code target/dashboard-screenshots/<name>.png}, and as the documentation's
	 * {@code docs/images/dashboard-<name>.png} when asked.
	 */
	static Path screenshot(WebDriver driver, String name) {
		try {
			Files.createDirectories(SCREENSHOTS);
			Path target = SCREENSHOTS.resolve(name + ".png");
			File taken = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
			Files.copy(taken.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
			if (Boolean.getBoolean("sqlqueue.docs.screenshots")) {
				Files.createDirectories(DOCS_IMAGES);
				Files.copy(taken.toPath(), DOCS_IMAGES.resolve("dashboard-" + name + ".png"),
						StandardCopyOption.REPLACE_EXISTING);
			}
			return target;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not save screenshot " + name, ex);
		}
	}

}
