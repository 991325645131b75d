## Company → Users → Import from CSV: the pages, and what the importer says of a file and its rows.

import-title = Import users
import-back = ← Users
import-upload-heading = Import users from a CSV file
import-file-label = CSV file (up to { $max } rows; commas or semicolons, UTF-8 or Windows-1252 as Excel saves it)
import-check = Check the file
import-nothing-before-confirm = Nothing is imported before you confirm.
import-format = Format
import-format-help = The first line names the columns, in any order, in English or in French (the name in brackets; case and accents do not matter).
import-download-template = Download the template:
import-template-en = English
import-template-fr = French
import-col-column = Column
import-col-required = Required
import-col-meaning = Meaning
import-yes = yes
import-no = no
import-none = none
import-meaning-email = The user's address; one account per address, across all companies.
import-meaning-roles = Agent, Supervisor, Administrator, Expert (or Superviseur, Administrateur), separated by ; or | — empty means Agent,
import-meaning-roles-none = means no role.
import-meaning-max-chats = Simultaneous chats, 1 to 20; empty means 3.
import-meaning-send-invitation = yes or no; empty means yes. With no, the invitation is created but mailed only when you resend it.
import-meaning-profile = Profile details.
import-same-file-again = Uploading the same file again creates no duplicates: rows whose address already has an account are skipped.
import-template-language = The template exists in English (en) and French (fr), not "{ $lang }".
import-upload-unreadable = The upload could not be read: { $error }
import-file-unreadable = The file could not be read: { $error }
import-choose-file = Choose a CSV file to upload.

## The preview and the import's progress.
import-preview-rows = { $count } rows:
import-preview-importable = can be imported,
import-preview-problems = cannot (see below).
import-confirm = Import { $count ->
    [one] { $count } user
   *[other] { $count } users
}
import-another-file = Upload another file
import-progress = Importing… { $done } of { $total } rows done.
import-done = Done: { $created ->
    [one] { $created } user
   *[other] { $created } users
} created, { $skipped ->
    [one] { $skipped } row
   *[other] { $skipped } rows
} skipped.
import-see-users = See the users
import-interrupted = The import stopped before the end (the server stopped). Upload the file again: rows already imported will be skipped.
import-col-line = Line
import-col-email = E-mail
import-col-outcome = Outcome
import-outcome-ok = ok
import-outcome-created = created
import-already-confirmed = This import was confirmed already.

## What is wrong with a file.
import-file-empty = the file is empty
import-file-not-text = the file is not text (save it from the spreadsheet as CSV)
import-missing-columns = the header lacks the column(s) { $missing }; read with { $separator } as the separator, it has the columns { $seen }
import-no-columns = none
import-quoted = "{ $text }"
import-too-many-rows = the file has { $rows } rows; import at most { $max } at a time
import-not-csv = the file cannot be read as CSV: { $error }
import-separator-comma = comma (,)
import-separator-semicolon = semicolon (;)
import-separator-tab = tab

## Columns as messages name them.
import-column-email = email
import-column-first-name = first_name
import-column-last-name = last_name
import-column-roles = roles
import-column-max-chats = max_chats
import-column-send-invitation = send_invitation
import-column-display-name = display_name
import-column-phone = phone
import-column-job-title = job_title

## What is wrong with a row.
import-unreadable-line = unreadable line: { $error }
import-field-count = has { $fields } fields, the header has { $header }
import-malformed-address = malformed address: { $error }
import-unknown-role = unknown role "{ $role }" (expected Agent, Supervisor, Administrator or Expert)
import-max-chats-not-a-number = { $column } "{ $value }" is not a number
import-send-invitation-yes-no = { $column } "{ $value }" should be yes or no
import-duplicate = duplicate in the file (same address as line { $line })
import-already-a-user = already a user
import-no-seat-left = too many seats: no seat left for this user
