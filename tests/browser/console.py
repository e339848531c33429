#!/usr/bin/env python3
"""console.py - the SMP's web console in a real browser (Debian's chromium
through chromedriver and python3-selenium), for tests/t/t0660.

  console.py URL OUT PASSWORD STORE_ID SHOTS
      logs in as alice (after a refused wrong password), reads the overview,
      the computers (old-pc's run succeeded, its progress), new-pc's run
      history, the associations (the store released), waits for the
      computers table to be refreshed by the script, checks that the
      browser's console logged no error, and saves screenshots of the main
      pages into SHOTS.  Prints one "ok NAME" or "FAIL NAME: why" line per
      check into OUT; exits 1 when one failed.
"""
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

url, out_path, password, store_id, shots = sys.argv[1:6]
out = open(out_path, "w")
failed = False


def check(name, cond, why=""):
    global failed
    out.write(("ok %s\n" % name) if cond else ("FAIL %s: %s\n" % (name, why)))
    out.flush()
    failed |= not cond


def waited(cond, seconds=15):
    """Whether cond(driver) came true within seconds: a click's page may
    still be loading when the next line runs."""
    try:
        WebDriverWait(driver, seconds).until(lambda d: cond(d))
        return True
    except Exception:
        return False


opts = webdriver.ChromeOptions()
for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
          "--window-size=1280,900", "--no-first-run", "--disable-extensions"):
    opts.add_argument(a)
opts.accept_insecure_certs = True	# the SMP's self-signed certificate
opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
driver.set_page_load_timeout(30)
try:
    def shot(name):
        driver.save_screenshot(os.path.join(shots, name + ".png"))

    driver.get(url + "/console/")
    check("not logged in: sent to the login", driver.current_url.endswith("/console/login"),
          driver.current_url)
    driver.find_element(By.ID, "name").send_keys("alice")
    driver.find_element(By.ID, "password").send_keys("wrong password")
    driver.find_element(By.ID, "login-button").click()
    check("a wrong password is refused", waited(lambda d: "Wrong name or password" in
          " ".join(e.text for e in d.find_elements(By.ID, "login-error"))),
          driver.page_source[:300])
    shot("console-login")
    driver.find_element(By.ID, "name").send_keys("alice")
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "login-button").click()
    check("logged in: the overview", waited(lambda d: d.title.startswith("Overview")),
          driver.title)
    body = driver.find_element(By.TAG_NAME, "body").text
    check("overview: runs of the last 24 hours", "succeeded" in body, body[:400])
    check("overview: stores by state", "released" in body, body[:400])
    check("overview: the node's folder", "takes captures" in body, body[:400])
    shot("console-overview")

    driver.get(url + "/console/computers")
    row = driver.find_element(By.ID, "c-old-pc").text
    check("computers: old-pc's run succeeded", "succeeded" in row, row)
    check("computers: old-pc's last step", "3/3" in row, row)
    row = driver.find_element(By.ID, "c-new-pc").text
    check("computers: new-pc's progress (what the restore moved)", "restored" in row, row)
    # the script refreshes the table without reloading the page
    WebDriverWait(driver, 15).until(
        lambda d: d.find_element(By.ID, "refreshed").text.startswith("refreshed"))
    check("computers: refreshed by the script",
          driver.find_element(By.ID, "refreshed").text.startswith("refreshed"))
    shot("console-computers")

    driver.get(url + "/console/computers/new-pc")
    body = driver.find_element(By.TAG_NAME, "body").text
    check("a computer's runs: its steps and results", "Restore user state" in body and
          "succeeded" in body, body[:500])
    shot("console-computer")

    driver.get(url + "/console/associations")
    row = driver.find_element(By.ID, "associations").text
    check("associations: the store released", "released" in row, row)
    check("associations: old-pc to new-pc", "old-pc" in row and "new-pc" in row, row)
    shot("console-associations")

    # a form whose CSRF token was taken out is refused
    driver.execute_script("document.querySelector('#associate input[name=csrf]').remove();")
    driver.find_element(By.ID, "source").send_keys("new-pc")
    driver.find_element(By.ID, "dest").send_keys("old-pc")
    driver.find_element(By.CSS_SELECTOR, "#associate button").click()
    check("a form without its CSRF token is refused",
          waited(lambda d: "no valid CSRF token" in d.page_source), driver.page_source[:300])

    logs = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE" and
            "favicon" not in e.get("message", "") and "403" not in e.get("message", "")
            and "401" not in e.get("message", "")]
    check("no JavaScript error in the browser's console", not logs, repr(logs[:3]))
finally:
    driver.quit()
out.close()
sys.exit(1 if failed else 0)
