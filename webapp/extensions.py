"""Flask extensions, created unbound here and bound in `create_app`."""

from email import charset

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints keep Alembic migrations portable between SQLite and PostgreSQL.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
mail = Mail()
# Flask-Mail registers UTF-8 bodies as raw 8-bit text, unwrapped, so a reply of one long
# paragraph (about 1,000 characters) is a line SMTP servers refuse ("Line too long", RFC 5321
# 4.5.3.1.6) or break: the message was retried and never delivered. Quoted-printable wraps
# every line at 76 characters and mail programs join them again, unchanged.
charset.add_charset("utf-8", charset.SHORTEST, charset.QP, "utf-8")
htmx = Htmx()
limiter = Limiter(key_func=get_remote_address)
