"""click's own messages in Chinese: usage lines, help headings, usage errors.

click marks every message with gettext (``from gettext import gettext as _`` and ``ngettext`` in
each of its modules), so a translation catalogue is the supported way to change them. Installing
it through gettext's global domain (``bindtextdomain`` plus a compiled .mo) would not be reliable
here: ``gettext.gettext`` picks the catalogue from LANGUAGE/LC_ALL/LANG, and on servers that run
with LANG=C it would silently fall back to English, while this CLI is Chinese whatever the locale.
So the catalogue below is a ``gettext.NullTranslations`` (the stdlib's translation interface) and
``install`` points the ``_``/``ngettext`` names click imported at it. tests/cli/test_chinese.py runs
every command's help and a corpus of bad invocations and fails on any English sentence, so a click
release that moves or rewords a message is caught.
"""

from __future__ import annotations

import gettext
import importlib

_MESSAGES = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s",
    "default: {default}": "缺省：{default}",
    "required": "必填",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（动态）",
    "deprecated": "已弃用",
    "Aborted!": "已中断",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "用 {command} {option} 查看帮助。",
    "Missing command.": "缺少命令。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "No such option {name!r}.": "没有选项 {name}。",
    "No such command {name!r}.": "没有命令 {name}。",
    "Invalid value: {message}": "值无效：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Option {name!r} does not take a value.": "选项 {name} 不接受值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name} 需要 {nargs} 个值。",
    "Value must be an iterable.": "值应为一组。",
    "unknown error": "未知错误",
    "Could not open file {filename!r}: {message}": "无法打开文件「{filename}」：{message}",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not a valid {number_type}.": "「{value}」不是有效的数值。",
    "{value!r} is not a valid UUID.": "「{value}」不是有效的 UUID。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "「{value}」不是有效的是/否值，可写：{states}",
    "{name} {filename!r} does not exist.": "{name}「{filename}」不存在。",
    "{name} {filename!r} is a file.": "{name}「{filename}」是文件，应为目录。",
    "{name} {filename!r} is a directory.": "{name}「{filename}」是目录，应为文件。",
    "{name} {filename!r} is not readable.": "{name}「{filename}」没有读取权限。",
    "{name} {filename!r} is not writable.": "{name}「{filename}」没有写入权限。",
    "{name} {filename!r} is not executable.": "{name}「{filename}」没有执行权限。",
    "file": "文件",
    "directory": "目录",
    "path": "路径",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "Do you want to continue?": "是否继续？",
    "Repeat for confirmation": "再输入一次以确认",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Error: invalid input": "错误：输入无效",
    "Press any key to continue...": "按任意键继续…",
}

# ngettext's singular msgid → the one Chinese form (Chinese does not inflect for number).
_PLURALS = {
    "Got unexpected extra argument ({args})": "多余的参数：{args}",
    "Option {name!r} requires an argument.": "选项 {name} 需要 {nargs} 个值。",
    "{value!r} is not {choice}.": "「{value}」无效，可选：{choice}。",
    "Did you mean {possibility}?": "是否想用 {possibility}？",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 {len} 个。",
    "{value!r} does not match the format {format}.": "「{value}」不符合格式 {format}。",
    "{len_type} values are required, but {len_value} was given.": "需要 {len_type} 个值，只给了 {len_value} 个。",
}


class ClickZh(gettext.NullTranslations):
    """click's messages in Chinese; anything not in the catalogue passes through unchanged."""

    def gettext(self, message: str) -> str:
        return _MESSAGES.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return _PLURALS.get(msgid1, msgid1 if n == 1 else msgid2)


# The click modules that imported gettext's functions by name (click 8.1-8.3).
_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "shell_completion", "termui", "types", "utils")


def install() -> None:
    zh = ClickZh()
    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            setattr(module, "_", zh.gettext)
        if hasattr(module, "ngettext"):
            setattr(module, "ngettext", zh.ngettext)
