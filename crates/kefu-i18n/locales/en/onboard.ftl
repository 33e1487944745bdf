## The public pages: login (/login) and the one-time-link pages (/setup, /invite, /reset).

onboard-brand-mark = k
onboard-brand = kefu
onboard-language = Language
onboard-switch-zh = 中文
onboard-switch-en = English
onboard-switch-separator = /
onboard-role-owner = Owner
onboard-role-admin = Admin
onboard-role-supervisor = Supervisor
onboard-role-agent = Agent
onboard-offline = Can't reach the server; check your network and try again
onboard-email = Email
onboard-password = Password

## Login

onboard-login-page-title = Sign in · kefu
onboard-login-heading = Sign in to kefu
onboard-sign-in = Sign in
onboard-signing-in = Signing in…
onboard-login-wrong = Wrong email or password
onboard-login-too-many = Too many attempts; try again later
onboard-login-failed = Couldn't sign in (HTTP { $status })
onboard-login-missing = Enter your email and password
onboard-demo-accounts = Demo accounts
onboard-demo-password = Demo accounts, all with the password
onboard-demo-fill = Click an account to fill it in.{ " " }
onboard-demo-open = Open the demo shop
onboard-demo-open-after = { " " }to chat as a customer.

## Setup, invitation and password reset

onboard-setup-page-title = Set up your shop · kefu
onboard-invite-page-title = Accept invitation · kefu
onboard-reset-page-title = Reset password · kefu
onboard-setup-heading = Create your shop
onboard-invite-heading = Join the support team
onboard-reset-heading = Set a new password
onboard-checking = Checking the link…
onboard-problem = This link can't be used
onboard-to-login = Go to sign in
onboard-setup-intro = First time with kefu: enter your shop and the owner's account, then go straight to the back office.
onboard-invite-intro = Choose your display name and password to start helping customers.
onboard-reset-intro = Set a new password for your account; you'll be signed in right after.
onboard-shop-name = Shop name
onboard-time-zone = Time zone
onboard-tz-beijing = Beijing time (UTC+08:00)
onboard-tz-plus-0900 = UTC+09:00
onboard-tz-plus-0700 = UTC+07:00
onboard-tz-utc = UTC+00:00
onboard-tz-minus-0500 = UTC-05:00
onboard-shop-language = Default language
onboard-language-zh = 简体中文
onboard-language-en = English
onboard-owner-email = Owner email (for signing in)
onboard-login-email = Sign-in email
onboard-display-name = Display name (what teammates and customers see)
onboard-new-password = Password (at least 10 characters of two kinds)
onboard-password-again = Repeat the password
onboard-submit = Continue
onboard-token_unknown = This link isn't valid
onboard-token_used = This link has already been used
onboard-token_expired = This link has expired
onboard-token_unknown-help = Check that you copied the whole link, or ask an admin to send it again.
onboard-token_used-help = Sign in instead; if you forgot your password, ask an admin to reset it.
onboard-token_expired-help = The link expired or was withdrawn; ask an admin to send a new one (for the first-run setup link, restart the server to get a new one).
onboard-ask-admin = Ask your shop's admin to send you a new link.
onboard-invited-as = You're invited to join "{ $shop }" as { $role }.
onboard-reset-for = Set a new password for your "{ $shop }" account.
onboard-no-token = The link has no token: open this page from the full link you received.
onboard-check-offline = Can't reach the server; check your network and reload the page.
onboard-wrong-page = This link is for another page; open the link exactly as you received it.
onboard-password-mismatch = The passwords don't match
onboard-setup-missing = Enter the shop name, email and display name
onboard-name-missing = Enter a display name
onboard-submit-failed = Couldn't submit (HTTP { $status })
