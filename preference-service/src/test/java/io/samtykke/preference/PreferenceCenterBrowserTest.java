package io.samtykke.preference;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.contract.Channel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static io.samtykke.preference.Api.preferences;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The preference center in a real browser: Debian's headless Chromium driven through its own chromedriver
 * (Selenium is told both paths, so it never downloads a browser or a driver). Skipped, loudly, where they are not
 * installed: {@code apt-get install -y chromium chromium-driver}.
 */
@QuarkusTest
class PreferenceCenterBrowserTest {

    static final Path CHROMIUM = Path.of(System.getProperty("samtykke.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("samtykke.chromedriver", "/usr/bin/chromedriver"));

    @TestHTTPResource("/")
    URL base;

    private WebDriver browser;
    private Path profile;

    @BeforeEach
    void startChromium() throws IOException {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!installed) {
            System.err.println("\n*** SKIPPING the preference center browser test: " + CHROMIUM + " and " + CHROMEDRIVER
                    + " are needed; install them with: apt-get install -y chromium chromium-driver ***\n");
        }
        assumeTrue(installed, "Chromium is not installed (apt-get install -y chromium chromium-driver); the browser test did not run");
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        profile = Files.createTempDirectory("chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=900,1300", "--lang=da", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stopChromium() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void aPersonOpensTheEmailLinkAndWithdrawsAndUnsubscribesInOneClickEach() throws IOException {
        Api api = Api.newTenant().withPurposes().withTopics("ride-offers", "product-updates");
        api.asSubject("anna").body(Map.of("topics", List.of("ride-offers", "product-updates"), "language", "da"))
                .put(preferences("anna")).then().statusCode(200);
        api.grant("anna", "newsletter");
        api.grant("anna", "sms-offers");
        api.awaitDecision(Channel.SMS, "sms-offers", "anna", "ALLOW", "CONSENT_GRANTED");
        api.catalogRead();
        Links links = Links.issue(api, "anna", Map.of());
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));

        browser.get(URI.create(base.toString()).resolve(links.pagePath()).toString());
        wait.until(ExpectedConditions.titleIs("Dine valg"));
        assertEquals("Givet", browser.findElement(By.cssSelector("#purpose-newsletter .state")).getText());
        assertEquals("Nyhedsbrev", browser.findElement(By.cssSelector("#purpose-newsletter .name")).getText());
        assertEquals("Følger", browser.findElement(By.cssSelector("#topic-ride-offers .state")).getText());
        screenshot("preference-center.png");

        browser.findElement(By.id("withdraw-newsletter")).click();
        wait.until(ExpectedConditions.textToBe(By.cssSelector("#purpose-newsletter .state"), "Trukket tilbage"));
        assertEquals("Sket: du har trukket dit samtykke til “Nyhedsbrev” tilbage.", browser.findElement(By.id("notice")).getText());
        assertFalse(browser.findElements(By.id("withdraw-newsletter")).stream().anyMatch(e -> e.isDisplayed()));
        assertEquals("DENY", api.decide(Channel.EMAIL, "newsletter", null, "anna").getString("decisions[0].decision"));
        assertEquals("ALLOW", api.decide(Channel.SMS, "sms-offers", null, "anna").getString("decisions[0].decision"),
                "withdrawing one purpose leaves the others");

        browser.findElement(By.id("unsubscribe-ride-offers")).click();
        wait.until(ExpectedConditions.textToBe(By.cssSelector("#topic-ride-offers .state"), "Følger ikke"));
        api.asApp().get(preferences("anna")).then().body("topics", equalTo(List.of("product-updates")));
        screenshot("preference-center-after-withdrawal.png");

        browser.findElement(By.id("unsubscribe-all")).click();
        wait.until(ExpectedConditions.textToBe(By.cssSelector("#purpose-sms-offers .state"), "Trukket tilbage"));
        assertEquals("Sket: du er afmeldt alt, hvad vi sender som markedsføring.", browser.findElement(By.id("notice")).getText());
        assertEquals("Følger ikke", browser.findElement(By.cssSelector("#topic-product-updates .state")).getText());
        assertEquals("DENY", api.decide(Channel.SMS, "sms-offers", null, "anna").getString("decisions[0].decision"));
        assertEquals("ALLOW", api.decide(Channel.EMAIL, "service-messages", null, "anna").getString("decisions[0].decision"));
        screenshot("preference-center-unsubscribed.png");
    }

    private void screenshot(String name) throws IOException {
        Path target = Path.of("target", name);
        Files.createDirectories(target.getParent());
        Files.write(target, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
