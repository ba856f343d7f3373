"""POST /v1/imports: a booking system's export uploaded with a preset, a dry run first, then
for real, as `crosssell import FILE --preset NAME` does it."""

from __future__ import annotations

import pytest

CUSTOMERS = (
    "First Name,Last Name,Email,Mobile,Birthdate,City\n"
    "Ada,Lovelace,ada@upload.example,(415) 555-0101,12/10/1985,Boston\n"
    "Grace,Hopper,grace@upload.example,415-555-0102,12/09/1986,Arlington\n"
    ",Date,bad@upload.example,415-555-0103,13/45/1990,Nowhere\n"
)
"""A Vagaro customers export: two good clients and a new one without a first name."""
PRESET = {"preset": "vagaro-customers"}


def upload(client, auth, role="admin", data=None, body=CUSTOMERS, name="customers.csv", path="/v1/imports"):
    form = PRESET if data is None else data
    files = {"file": (name, body.encode() if isinstance(body, str) else body, "text/csv")}
    return client.post(path, data=form, files=files, headers=auth[role])


def stored(desk, email: str) -> list[dict]:
    return [p for p in desk.practice.repository.patient_records() if p.get("email") == email]


def imports_audited(client, auth) -> list[dict]:
    log = client.get("/v1/audit", params={"actor": "coordinator1"}, headers=auth["admin"]).json()
    return [e for e in log if e["action"] in ("import", "import_dry_run")]


def test_a_dry_run_is_the_default_and_stores_nothing(client, auth, desk):
    answer = upload(client, auth, "coordinator")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["dry_run"] is True and body["mapping"] == "vagaro-customers"
    assert body["file"] == "customers.csv"
    assert body["would_add"] == {"patients": 2} and body["records"] == 2
    assert body["rejections"] == [
        {"row": 4, "column": "First Name", "reason": "a new patient needs a first name"}
    ]
    assert body["columns"]["email"] == ["Email"] and body["columns"]["phone"] == ["Mobile"]
    assert [s["first_name"] for s in body["samples"]] == ["Ada", "Grace"]
    assert body["added"] is None and body["changed"] is None
    assert not stored(desk, "ada@upload.example")


def test_a_real_import_stores_the_good_rows_names_the_bad_and_is_audited(client, auth, desk):
    answer = upload(client, auth, "coordinator", {**PRESET, "dry_run": "false"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["dry_run"] is False and body["added"]["patients"] == 2
    assert body["rejected"] == 1 and body["rejections"][0]["row"] == 4
    assert body["rejections"][0]["column"] == "First Name"
    assert body["samples"] is None and body["would_add"] is None
    ada = stored(desk, "ada@upload.example")
    assert len(ada) == 1 and ada[0]["phone"] == "+14155550101" and ada[0]["marketing_consent"] is False
    assert not stored(desk, "bad@upload.example")
    entry = next(e for e in imports_audited(client, auth) if e["action"] == "import")
    assert entry["action"] == "import" and entry["detail"]["added"]["patients"] == 2
    assert entry["detail"]["file"] == "customers.csv" and entry["detail"]["rejected"] == 1
    assert "ada@upload.example" not in str(entry)  # counts and columns, never a patient's value

    again = upload(client, auth, "coordinator", {**PRESET, "dry_run": "false"}).json()
    assert not any(again["added"].values()) and not any(again["updated"].values())
    assert again["unchanged"]["patients"] == 2
    assert len(stored(desk, "ada@upload.example")) == 1


def test_the_old_path_works_and_consent_on_file_is_the_owners_word(client, auth, desk):
    body = CUSTOMERS.replace("upload.example", "owner.example").replace("555-01", "555-02")
    consent = {**PRESET, "dry_run": "false", "consent": "on-file"}
    refused = upload(client, auth, "coordinator", consent, body=body, path="/imports")
    assert refused.status_code == 403 and "admin" in refused.json()["error"]
    assert not stored(desk, "ada@owner.example")
    answer = upload(client, auth, "admin", consent, body=body, path="/imports")
    assert answer.status_code == 200, answer.text
    assert answer.json()["consent_on_file"] == 2 and answer.json()["added"]["patients"] == 2
    log = client.get("/v1/audit", params={"actor": "admin1"}, headers=auth["admin"]).json()
    stated = [e for e in log if e["action"] == "consent_on_file"]
    assert len(stated) == 1 and stated[0]["detail"] == {"file": "customers.csv", "patients": 2}


def test_a_mapping_of_ones_own_is_taken_as_a_file_or_as_text(client, auth):
    toml = (
        'name = "mine"\nkind = "patients"\n[columns]\nfirst_name = "First Name"\n'
        'last_name = "Last Name"\nemail = "Email"\n[ids]\nprefix = "mine"\n'
    )
    files = {"file": ("c.csv", CUSTOMERS.encode(), "text/csv"), "mapping": ("m.toml", toml.encode())}
    as_file = client.post("/v1/imports", files=files, headers=auth["admin"])
    assert as_file.status_code == 200, as_file.text
    assert as_file.json()["mapping"] == "mine" and as_file.json()["records"] == 2
    assert as_file.json()["rejected"] == 1  # the client without a first name
    as_text = upload(client, auth, data={"mapping": toml})
    assert as_text.status_code == 200 and as_text.json()["mapping"] == "mine"
    broken = upload(client, auth, data={"mapping": "name = "})
    assert broken.status_code == 422 and "not valid TOML" in broken.json()["error"]


@pytest.mark.parametrize(
    ("form", "name", "body", "says"),
    [
        ({}, "c.csv", CUSTOMERS, "needs a preset or a mapping"),
        ({"preset": "vagaro-customers", "mapping": 'name = "x"'}, "c.csv", CUSTOMERS, "not both"),
        ({"preset": "nope"}, "c.csv", CUSTOMERS, "unknown preset 'nope'"),
        (PRESET, "c.pdf", CUSTOMERS, "not a spreadsheet export (upload a .csv or .xlsx file)"),
        (PRESET, "c.xlsx", b"not a workbook", "not a readable .xlsx workbook"),
        (PRESET, "c.csv", "", "the export is empty"),
        ({**PRESET, "consent": "yes"}, "c.csv", CUSTOMERS, "consent"),
    ],
)
def test_bad_input_is_a_422_that_says_what_is_wrong(client, auth, form, name, body, says):
    answer = upload(client, auth, data=form, name=name, body=body)
    assert answer.status_code == 422, answer.text
    assert says in answer.json()["error"]


def test_no_file_is_a_422(client, auth):
    answer = client.post("/v1/imports", data=PRESET, headers=auth["admin"])
    assert answer.status_code == 422 and "file" in answer.json()["error"]


def test_an_upload_far_over_the_limit_is_a_413_before_it_is_read(client, auth, desk):
    limit = desk.practice.settings.max_upload_bytes
    answer = upload(client, auth, body=CUSTOMERS + "x" * (limit + 2**20))
    assert answer.status_code == 413
    assert "the upload (the file and its form) is over the limit" in answer.json()["error"]


def test_a_file_just_over_the_limit_within_the_form_allowance_is_a_413(client, auth, desk):
    limit = desk.practice.settings.max_upload_bytes
    big = CUSTOMERS + ("Zed,Zed,z@upload.example,,,\n" * (limit // 28 + 10))
    answer = upload(client, auth, body=big[: limit + 10])
    assert answer.status_code == 413 and "upload limit" in answer.json()["error"]


def test_signed_out_is_401_and_a_provider_is_403(client, auth):
    files = {"file": ("c.csv", CUSTOMERS.encode(), "text/csv")}
    assert client.post("/v1/imports", data=PRESET, files=files).status_code == 401
    assert upload(client, auth, "provider").status_code == 403
    assert upload(client, auth, "qa").status_code == 403


def test_a_workbook_is_read_like_a_csv(client, auth, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for line in CUSTOMERS.splitlines():
        sheet.append(line.split(","))
    book.save(tmp_path / "customers.xlsx")
    answer = upload(client, auth, name="Customers.XLSX", body=(tmp_path / "customers.xlsx").read_bytes())
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["file"] == "Customers.xlsx" and body["records"] == 2
    assert [(r["row"], r["column"]) for r in body["rejections"]] == [(4, "First Name")]


def test_the_desk_refuses_an_upload_over_the_limit_whoever_sends_it(client, auth, desk, monkeypatch):
    """The screen sends its uploads to the desk directly: the desk's own limit holds there too."""
    from assistant.errors import TooLarge

    monkeypatch.setattr(desk.practice.settings, "max_upload_bytes", 100)
    with pytest.raises(TooLarge, match="over the upload limit"):
        desk.review.import_export(desk.users["admin"], "c.csv", CUSTOMERS.encode(), preset="vagaro-customers")
    assert upload(client, auth).status_code == 413


def test_a_file_name_keeps_no_folder_and_no_odd_characters(client, auth):
    answer = upload(client, auth, name="../../etc/<clients>;.csv")
    assert answer.status_code == 200, answer.text
    assert answer.json()["file"] == "_clients_.csv"
